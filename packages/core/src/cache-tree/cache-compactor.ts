import type { Clock } from '../clock.ts'
import type { Address, PeerId } from '../ids.ts'
import type { SubjectOf } from '../swarm/cache-strength.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import type { ValueStore } from '../swarm/value-store.ts'
import { compactCache, DEFAULT_COMPACTION_THRESHOLD, hasSealedShards, isCompactionDue } from './compactor.ts'
import { TreeKeeper } from './tree-keeper.ts'

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
  /**
   * How long the epochs before the live one must have been sealed, as this
   * peer saw it, before it folds them without waiting for the live epoch to
   * fill (`DEFAULT_SEAL_AFTER_MS`). Folding only when the live epoch reaches
   * `threshold` left a single burst of results (one job) in the document
   * until `threshold` more arrived; now it leaves within about this long.
   * A writer that has not seen the epoch change for this long and then
   * writes into its folded shard loses that entry, as with a writer lagging
   * a whole epoch: the call is computed again, never answered wrongly.
   */
  readonly sealAfterMs?: number
  /**
   * Also hold every node of each root the swarm lists (`TreeKeeper`), so
   * that the entries a compactor folded stay served after it leaves. On
   * unless false.
   */
  readonly keepTrees?: boolean
  readonly onError?: (error: unknown) => void
}

/** The schedule a host or simulated peer may choose; the rest comes from the peer itself. */
export type CompactionSchedule = Pick<CacheCompactorOptions, 'threshold' | 'checkEveryMs' | 'staggerMs' | 'sealAfterMs' | 'keepTrees'>

export const DEFAULT_SEAL_AFTER_MS = 60_000

/** A peer's share in compacting the swarm's cache: looks now and then, compacts when due. */
export class CacheCompactor {
  #timer: unknown
  #keepTimer: unknown
  #running = false
  #stopped = false
  /** Roots this peer published, newest last. */
  readonly published: Address[] = []
  /** The live epoch as this peer last saw it, and since when (its own clock: no peer's word on time). */
  #live: { readonly epoch: number; readonly since: number }
  readonly keeper: TreeKeeper | undefined

  constructor(
    private readonly swarm: SwarmDoc,
    private readonly values: ValueStore,
    private readonly o: CacheCompactorOptions,
  ) {
    this.#live = { epoch: swarm.liveEpoch(), since: o.clock.now() }
    this.keeper = o.keepTrees === false ? undefined : new TreeKeeper(swarm, values.compacted.tree)
    this.#arm(o.checkEveryMs ?? 5_000)
    this.#armKeeper(o.checkEveryMs ?? 5_000)
  }

  get threshold(): number {
    return this.o.threshold ?? DEFAULT_COMPACTION_THRESHOLD
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) this.o.clock.clearTimeout(this.#timer)
    if (this.#keepTimer !== undefined) this.o.clock.clearTimeout(this.#keepTimer)
  }

  /**
   * Compacts now if due, without the stagger (tests, and a host told to);
   * with `sealedOnly`, folds the sealed epochs however few entries the live one holds.
   */
  async compactNow(sealedOnly = false): Promise<Address | undefined> {
    const root = await compactCache(this.swarm, this.values.compacted.tree, { threshold: this.threshold, self: this.o.self, now: () => this.o.clock.now(), subjectOf: this.o.subjectOf, sealedOnly })
    if (root !== undefined) this.published.push(root)
    return root
  }

  #arm(ms: number): void {
    if (this.#stopped) return
    this.#timer = this.o.clock.setTimeout(() => void this.#check(), ms)
  }

  // On a timer of its own: a walk that waits on slow peers must not hold back compaction, nor a pending compaction the walks.
  #armKeeper(ms: number): void {
    const keeper = this.keeper
    if (this.#stopped || keeper === undefined) return
    this.#keepTimer = this.o.clock.setTimeout(() => {
      keeper
        .keepListed()
        .catch((error: unknown) => this.o.onError?.(error))
        .finally(() => this.#armKeeper(this.o.checkEveryMs ?? 5_000))
    }, ms)
  }

  async #check(): Promise<void> {
    const every = this.o.checkEveryMs ?? 5_000
    const epoch = this.swarm.liveEpoch()
    const now = this.o.clock.now()
    if (epoch !== this.#live.epoch) this.#live = { epoch, since: now }
    const full = isCompactionDue(this.swarm, this.threshold)
    const sealedLongEnough = !full && now - this.#live.since >= (this.o.sealAfterMs ?? DEFAULT_SEAL_AFTER_MS) && hasSealedShards(this.swarm)
    if (this.#running || (!full && !sealedLongEnough)) return this.#arm(every)
    const wait = staggerOf(this.o.self, epoch, this.o.staggerMs ?? 10_000)
    this.#timer = this.o.clock.setTimeout(() => void this.#compactIfStill(epoch, !full), wait)
  }

  async #compactIfStill(epoch: number, sealedOnly: boolean): Promise<void> {
    if (this.#stopped) return
    this.#running = true
    try {
      // A peer that folded the sealed epochs meanwhile left none: compactCache then does nothing.
      if (this.swarm.liveEpoch() === epoch) await this.compactNow(sealedOnly)
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
