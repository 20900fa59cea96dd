import type { Clock } from '../clock.ts'
import type { Address, PeerId } from '../ids.ts'
import type { SubjectOf } from '../swarm/cache-strength.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import type { ValueStore } from '../swarm/value-store.ts'
import { compactCache, DEFAULT_COMPACTION_THRESHOLD, isCompactionDue } from './compactor.ts'

export interface CacheCompactorOptions {
  readonly self: PeerId
  readonly clock: Clock
  readonly subjectOf: SubjectOf
  /** Live entries that start a compaction (`DEFAULT_COMPACTION_THRESHOLD`). */
  readonly threshold?: number
  /** How often to look. */
  readonly checkEveryMs?: number
  /**
   * Each peer waits a share of this, fixed by its id and the epoch, before
   * compacting, and compacts only if nobody did meanwhile: most of the time
   * one peer compacts, and when two do, they converge (`compactor.ts`).
   */
  readonly staggerMs?: number
  readonly onError?: (error: unknown) => void
}

/** A peer's share in compacting the swarm's cache: looks now and then, compacts when due. */
export class CacheCompactor {
  #timer: unknown
  #running = false
  #stopped = false
  /** Roots this peer published, newest last. */
  readonly published: Address[] = []

  constructor(
    private readonly swarm: SwarmDoc,
    private readonly values: ValueStore,
    private readonly o: CacheCompactorOptions,
  ) {
    this.#arm(o.checkEveryMs ?? 5_000)
  }

  get threshold(): number {
    return this.o.threshold ?? DEFAULT_COMPACTION_THRESHOLD
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) this.o.clock.clearTimeout(this.#timer)
  }

  /** Compacts now if due, without the stagger (tests, and a host told to). */
  async compactNow(): Promise<Address | undefined> {
    const root = await compactCache(this.swarm, this.values.compacted.tree, { threshold: this.threshold, self: this.o.self, now: () => this.o.clock.now(), subjectOf: this.o.subjectOf })
    if (root !== undefined) this.published.push(root)
    return root
  }

  #arm(ms: number): void {
    if (this.#stopped) return
    this.#timer = this.o.clock.setTimeout(() => void this.#check(), ms)
  }

  async #check(): Promise<void> {
    const every = this.o.checkEveryMs ?? 5_000
    if (this.#running || !isCompactionDue(this.swarm, this.threshold)) return this.#arm(every)
    const epoch = this.swarm.liveEpoch()
    const wait = staggerOf(this.o.self, epoch, this.o.staggerMs ?? 10_000)
    this.#timer = this.o.clock.setTimeout(() => void this.#compactIfStill(epoch), wait)
  }

  async #compactIfStill(epoch: number): Promise<void> {
    if (this.#stopped) return
    this.#running = true
    try {
      if (this.swarm.liveEpoch() === epoch) await this.compactNow()
    } catch (error) {
      this.o.onError?.(error)
    } finally {
      this.#running = false
      this.#arm(this.o.checkEveryMs ?? 5_000)
    }
  }
}

/** A wait in [0, window) fixed by peer and epoch (FNV-1a), so the order changes from one epoch to the next. */
function staggerOf(peer: PeerId, epoch: number, window: number): number {
  let hash = 0x811c9dc5
  for (const char of `${peer}/${epoch}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0
  return hash % Math.max(1, window)
}
