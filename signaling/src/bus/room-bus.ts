/**
 * What signaling instances share so that one room spans them: messages
 * (to every other instance, or to one) and each instance's presence entries,
 * which outlive it only briefly. The hub's rules live in `cluster.ts`; an
 * adapter only moves strings: `memory-bus.ts` between hubs of one process
 * (tests, benchmarks), `redis-bus.ts` between processes through Redis.
 */

/** Each instance's entries, by instance id then key. */
export type PresenceSnapshot = ReadonlyMap<string, ReadonlyMap<string, string>>

export interface BusListener {
  /** A message another instance published to all instances, or to this one. */
  message(from: string, body: string): void
  /**
   * Another instance left, or stopped refreshing its presence (it died):
   * what it held is gone, and its connections with it.
   */
  gone(instance: string): void
  /**
   * The connection to the shared store came back after it was lost (Redis
   * restarted, say): `snapshot` is what the live instances hold now. What this
   * instance stored may be gone with it, and others may have counted it dead:
   * it should store and announce what it holds again.
   */
  reconnected?(snapshot: PresenceSnapshot): void
}

export interface RoomBus {
  /** This instance's id, unique among the instances sharing the bus. */
  readonly instance: string
  /** Joins the bus; resolves with the entries of the instances alive now (this one left out). */
  start(listener: BusListener): Promise<PresenceSnapshot>
  /** Sends `body` to every other instance, or to instance `to` only. */
  publish(body: string, to?: string): void
  /** Sets one of this instance's entries, or deletes it (`undefined`); they expire when it stops refreshing them. */
  put(key: string, value: string | undefined): void
  /** Leaves: its entries are removed and the others told at once. Safe to call twice. */
  close(): Promise<void>
  /** Stops as a killed process would: no goodbye, entries left to expire. For tests of instance death. */
  crash(): void
}

export interface BusTiming {
  /** How often an instance refreshes its entries and tells the others it lives. Default 2 s. */
  readonly heartbeatMs?: number
  /** How long after its last heartbeat an instance counts as dead and its entries expire. Default 3 heartbeats. */
  readonly ttlMs?: number
}

export const DEFAULT_HEARTBEAT_MS = 2_000

export function resolveTiming(timing: BusTiming = {}): { readonly heartbeatMs: number; readonly ttlMs: number } {
  const heartbeatMs = timing.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  const ttlMs = timing.ttlMs ?? 3 * heartbeatMs
  if (!(heartbeatMs > 0) || !(ttlMs > heartbeatMs)) throw new RangeError(`the bus needs heartbeatMs > 0 and ttlMs > heartbeatMs, got ${heartbeatMs} and ${ttlMs}`)
  return { heartbeatMs, ttlMs }
}

/**
 * Who was heard from when: an instance silent for longer than the TTL is dead.
 * Both adapters judge death this way, so a dead instance is noticed within
 * one TTL and a heartbeat whichever carries the messages.
 */
export class Liveness {
  readonly #lastSeen = new Map<string, number>()

  constructor(private readonly ttlMs: number) {}

  seen(instance: string, now: number): void {
    this.#lastSeen.set(instance, now)
  }

  /** Forgets an instance; true when it was known. */
  forget(instance: string): boolean {
    return this.#lastSeen.delete(instance)
  }

  /** The instances silent for longer than the TTL, forgotten as they are returned. */
  expired(now: number): string[] {
    const dead: string[] = []
    for (const [instance, at] of this.#lastSeen) if (now - at > this.ttlMs) dead.push(instance)
    for (const instance of dead) this.#lastSeen.delete(instance)
    return dead
  }
}

/** A random instance id: 16 hex digits, no separators, so it can sit in keys and channel names. */
export function newInstanceId(): string {
  const bytes = new Uint8Array(8)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
