import type { MeshPeer } from '@tessera/mesh'
import type { Swarm } from '@tessera/runtime'
import type { SandboxedExecutor } from '../sandbox/sandboxed-executor.ts'
import { Emitter } from './emitter.ts'
import { DoneCounter, RateMeter } from './rate-meter.ts'
import type { DonationEvents, DonationState, DonationStats, RoomPeer } from './types.ts'
import type { VisibilitySource } from './visibility.ts'

export interface DonationParts {
  readonly room: string
  readonly workers: number
  readonly idleOnly: boolean
  readonly visibility: VisibilitySource
  readonly statsIntervalMs: number
}

/**
 * A tab's donation: the handle `donate()` returns. It decides how many workers
 * take tasks now (none while paused, or while hidden with `idleOnly`), applies
 * that to the donor, the sandboxed pool and the presence record, and publishes
 * stats every `statsIntervalMs`.
 */
export class Donation {
  /** Resolves once connected; rejects if the connection could not be made. */
  readonly ready: Promise<void>
  readonly #events = new Emitter<DonationEvents>()
  readonly #swarmRate = new RateMeter()
  readonly #hereRate = new RateMeter()
  readonly #done = new DoneCounter()
  readonly #parts: DonationParts
  #swarm: Swarm<MeshPeer> | undefined
  #executor: SandboxedExecutor | undefined
  #state: DonationState = 'connecting'
  #error: string | undefined
  #workers: number
  #paused = false
  #idleOnly: boolean
  #runsSeen = 0
  #timer: ReturnType<typeof setInterval> | undefined
  #stopWatching: () => void
  #last: DonationStats | undefined
  #release: () => void = () => {}

  constructor(parts: DonationParts, connecting: Promise<{ swarm: Swarm<MeshPeer>; executor: SandboxedExecutor; release: () => void }>) {
    this.#parts = parts
    this.#workers = parts.workers
    this.#idleOnly = parts.idleOnly
    this.#stopWatching = parts.visibility.onChange(() => this.#apply())
    this.ready = connecting.then(
      async ({ swarm, executor, release }) => {
        if (this.#state === 'left') {
          await swarm.close()
          release()
          return
        }
        this.#release = release
        this.#swarm = swarm
        this.#executor = executor
        this.#apply()
        this.#timer = setInterval(() => this.#tick(), parts.statsIntervalMs)
        this.#tick()
      },
      (error: unknown) => {
        this.#error = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
        this.#stopWatching()
        this.#setState('failed')
        this.#publish()
        throw error
      },
    )
    // Callers that only listen to events need not handle the rejection.
    this.ready.catch(() => {})
  }

  get state(): DonationState {
    return this.#state
  }

  /** The swarm connection underneath, once connected: submit jobs, read status. */
  get swarm(): Swarm<MeshPeer> | undefined {
    return this.#swarm
  }

  on<K extends keyof DonationEvents>(event: K, listener: (value: DonationEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  /** Takes no new tasks; what this tab holds still finishes and reports. */
  pause(): void {
    this.#paused = true
    this.#apply()
  }

  resume(): void {
    this.#paused = false
    this.#apply()
  }

  /** How many workers take tasks (0 donates nothing, but stays connected). */
  setWorkers(workers: number): void {
    if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`workers must be a whole number, 0 or more; got ${workers}`)
    this.#workers = workers
    this.#apply()
  }

  /** Donate only while the tab is visible. */
  setIdleOnly(idleOnly: boolean): void {
    this.#idleOnly = idleOnly
    this.#apply()
  }

  /** Leaves the swarm: tasks held here are dropped and their leases lapse, so other peers take them over. */
  async leave(): Promise<void> {
    if (this.#state === 'left') return
    clearInterval(this.#timer)
    this.#stopWatching()
    this.#setState('left')
    const swarm = this.#swarm
    this.#swarm = undefined
    await swarm?.close()
    this.#release()
    this.#publish()
    this.#events.clear()
  }

  stats(): DonationStats {
    const swarm = this.#swarm
    const active = this.#activeWorkers()
    const base = {
      state: this.#state,
      ...(this.#error === undefined ? {} : { error: this.#error }),
      room: this.#parts.room,
      workers: this.#workers,
      activeWorkers: swarm === undefined ? 0 : active,
      paused: this.#paused,
      idleOnly: this.#idleOnly,
      visible: this.#parts.visibility.visible,
      throughput: swarm === undefined ? { swarm: 0, here: 0 } : { swarm: this.#swarmRate.perSecond, here: this.#hereRate.perSecond },
    }
    if (swarm === undefined) {
      const cache = { cacheEntries: this.#last?.cacheEntries ?? 0, cacheHitRate: this.#last?.cacheHitRate }
      return { ...base, ...cache, signaling: false, peers: [], tasksRun: this.#last?.tasksRun ?? 0, tasksHeld: 0, tasksRunning: 0, jobs: [] }
    }
    const executor = this.#executor
    const self = swarm.peer.id
    const presence = swarm.peer.presence.list()
    const lookups = presence.reduce((sum, p) => sum + (p.cacheLookups ?? 0), 0)
    const hits = presence.reduce((sum, p) => sum + (p.cacheHits ?? 0), 0)
    const peers: RoomPeer[] = presence.map((p) => ({
      id: p.peer,
      kind: p.kind === 'browser' ? 'tab' : 'host',
      workers: p.workers,
      load: p.load,
      self: p.peer === self,
    }))
    return {
      ...base,
      self,
      signaling: swarm.peer.mesh.signalingConnected,
      peers,
      tasksRun: swarm.donor?.runs ?? 0,
      tasksHeld: swarm.donor?.held ?? 0,
      tasksRunning: executor === undefined ? 0 : Math.min(executor.busy, executor.workers),
      cacheEntries: swarm.peer.swarm.cache.size,
      cacheHitRate: lookups === 0 ? undefined : hits / lookups,
      jobs: swarm.jobs(),
    }
  }

  #activeWorkers(): number {
    const hidden = this.#idleOnly && !this.#parts.visibility.visible
    return this.#paused || hidden ? 0 : this.#workers
  }

  #apply(): void {
    const swarm = this.#swarm
    const donor = swarm?.donor
    if (swarm === undefined || donor === undefined || this.#executor === undefined || this.#state === 'left') return
    const active = this.#activeWorkers()
    if (active > 0) {
      this.#executor.resize(active)
      donor.setWorkers(active)
      donor.resume()
    } else {
      // The pool keeps its workers until what this tab holds has run (see #tick).
      donor.pause()
    }
    swarm.peer.presence.update({ workers: active })
    this.#setState(active > 0 ? 'donating' : this.#paused || this.#workers === 0 ? 'paused' : 'waiting')
  }

  #tick(): void {
    const swarm = this.#swarm
    if (swarm === undefined) return
    const donor = swarm.donor
    if (this.#activeWorkers() === 0 && (donor?.held ?? 0) === 0) this.#executor?.resize(0)
    const stats = this.stats()
    const now = Date.now()
    this.#swarmRate.sample(this.#done.update(stats.jobs), now)
    this.#hereRate.sample(stats.tasksRun, now)
    if (stats.tasksRun > this.#runsSeen) {
      this.#events.emit('task', { count: stats.tasksRun - this.#runsSeen, total: stats.tasksRun })
      this.#runsSeen = stats.tasksRun
    }
    this.#last = stats
    this.#events.emit('stats', stats)
  }

  #publish(): void {
    this.#last = this.stats()
    this.#events.emit('stats', this.#last)
  }

  #setState(state: DonationState): void {
    if (state === this.#state) return
    this.#state = state
    this.#events.emit('state', state)
  }
}
