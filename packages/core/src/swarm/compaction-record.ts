import type { Address, PeerId, TaskKey } from '../ids.ts'
import type { CacheEntry } from './schema.ts'

/** What one compaction publishes (`publishCompaction`): the cache tree's new root and what it replaces. */
export interface Compaction {
  /** The new root, holding every entry of `replaces` and of the shards `compacted`; none when there was nothing to compact yet. */
  readonly root?: Address
  readonly count: number
  readonly by: PeerId
  readonly at: number
  /** The records (by key) of the roots merged into `root`. */
  readonly replaces: readonly string[]
  /** Shard keys (of both cache and result shards) whose entries are all in `root`. */
  readonly compacted: readonly string[]
  /** The epoch writers move on to. */
  readonly nextEpoch: number
  /** Entries of the compacted shards that stay in the document (failures, late arrivals), and result values still named there. */
  readonly carried: ReadonlyArray<readonly [TaskKey, CacheEntry]>
  readonly carriedValues: ReadonlyArray<readonly [Address, Uint8Array]>
}
