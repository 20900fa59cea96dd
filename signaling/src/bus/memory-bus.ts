/**
 * The bus between hubs of one process: the same contract as Redis (see
 * test/room-bus.contract.test.ts), so several hubs can be tested or measured
 * together without a Redis server. A single signaling process needs no bus at all.
 */
import { Liveness, newInstanceId, resolveTiming, type BusListener, type BusTiming, type PresenceSnapshot, type RoomBus } from './room-bus.ts'

interface Member {
  readonly listener: BusListener
  readonly entries: Map<string, string>
  /** When its entries expire unless refreshed; a crashed member's are kept until then. */
  expiresAt: number
  alive: boolean
}

/** One shared space: every bus made from it reaches the others. */
export class MemoryBusNetwork {
  readonly members = new Map<string, Member>()

  constructor(private readonly timing: BusTiming = {}) {}

  bus(): RoomBus {
    return new MemoryBus(this, resolveTiming(this.timing))
  }
}

class MemoryBus implements RoomBus {
  readonly instance = newInstanceId()
  #member: Member | undefined
  #timer: ReturnType<typeof setInterval> | undefined
  readonly #liveness: Liveness

  constructor(
    private readonly network: MemoryBusNetwork,
    private readonly timing: { readonly heartbeatMs: number; readonly ttlMs: number },
  ) {
    this.#liveness = new Liveness(timing.ttlMs)
  }

  async start(listener: BusListener): Promise<PresenceSnapshot> {
    const now = Date.now()
    const snapshot = new Map<string, ReadonlyMap<string, string>>()
    for (const [id, member] of this.network.members) {
      if (member.expiresAt < now) continue
      snapshot.set(id, new Map(member.entries))
      this.#liveness.seen(id, now)
    }
    this.#member = { listener, entries: new Map(), expiresAt: now + this.timing.ttlMs, alive: true }
    this.network.members.set(this.instance, this.#member)
    this.#timer = setInterval(() => this.#beat(), this.timing.heartbeatMs)
    this.#timer.unref()
    return snapshot
  }

  publish(body: string, to?: string): void {
    for (const [id, member] of this.#others(to)) {
      // Asynchronous like a network, in order like one Redis connection.
      queueMicrotask(() => member.alive && this.#member?.alive === true && member.listener.message(this.instance, body))
      void id
    }
  }

  put(key: string, value: string | undefined): void {
    if (this.#member === undefined) return
    if (value === undefined) this.#member.entries.delete(key)
    else this.#member.entries.set(key, value)
  }

  async close(): Promise<void> {
    const member = this.#member
    if (member === undefined || !member.alive) return
    this.#stop()
    this.network.members.delete(this.instance)
    for (const [, other] of this.#others()) queueMicrotask(() => other.alive && other.listener.gone(this.instance))
  }

  crash(): void {
    this.#stop()
  }

  #stop(): void {
    clearInterval(this.#timer)
    if (this.#member !== undefined) this.#member.alive = false
  }

  #others(to?: string): Array<[string, Member]> {
    return [...this.network.members].filter(([id, member]) => id !== this.instance && member.alive && (to === undefined || id === to))
  }

  #beat(): void {
    const member = this.#member
    if (member === undefined || !member.alive) return
    const now = Date.now()
    member.expiresAt = now + this.timing.ttlMs
    for (const [id, other] of this.network.members) {
      if (id === this.instance) continue
      if (other.alive) this.#liveness.seen(id, now)
      else if (other.expiresAt < now) this.network.members.delete(id)
    }
    for (const dead of this.#liveness.expired(now)) member.listener.gone(dead)
  }
}
