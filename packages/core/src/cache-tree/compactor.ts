import type { Address, PeerId, TaskKey } from '../ids.ts'
import { mergeCached } from '../swarm/cache-merge.ts'
import { epochOfShard } from '../swarm/cache-shards.ts'
import type { SubjectOf } from '../swarm/cache-strength.ts'
import { checkCacheEntry, checkStoredValue } from '../swarm/records.ts'
import { storedValueOf, type CacheEntry } from '../swarm/schema.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import { publishCompaction } from '../swarm/writes.ts'
import type { TreeEntry } from './node.ts'
import type { CacheTree } from './tree.ts'

/**
 * When and how the cache leaves the document. Writers write into the live
 * epoch's shards; once those hold `threshold` entries, any compacting peer
 * moves writers on to the next epoch and folds the shards of the epochs
 * before the live one (sealed for a whole epoch, so writers have long moved
 * on) into the tree. Which shards and roots a compaction takes is read from
 * the document, and the tree is a function of its entries, so two peers that
 * compact the same document publish the same root; peers that saw different
 * documents publish two roots, and the next compaction merges them.
 */
export interface CompactionOptions {
  /** Entries in the live epoch that start a compaction. */
  readonly threshold: number
  readonly self: PeerId
  readonly now: () => number
  /** How the merge rule weighs signers (the peer's `Subjects`). */
  readonly subjectOf: SubjectOf
  /**
   * Fold the epochs before the live one now, however few entries the live
   * one holds, and leave writers in the live epoch: the compactor asks this
   * once they have been sealed long enough (`CacheCompactor`'s `sealAfterMs`).
   */
  readonly sealedOnly?: boolean
}

export const DEFAULT_COMPACTION_THRESHOLD = 1_000

/** Entries in shards of the live epoch or later. */
export function liveEntries(swarm: SwarmDoc): number {
  const live = swarm.liveEpoch()
  let count = 0
  for (const [key, shard] of swarm.cacheShards.shards()) if ((epochOfShard(key) ?? -1) >= live) count += swarm.cacheShards.sizeOf(shard)
  return count
}

export function isCompactionDue(swarm: SwarmDoc, threshold: number): boolean {
  return liveEntries(swarm) >= threshold
}

/** Whether shards of the epochs before the live one still hold entries or result values. */
export function hasSealedShards(swarm: SwarmDoc): boolean {
  const live = swarm.liveEpoch()
  const sealedAndFull = ([key, shard]: readonly [string, { readonly size: number }]): boolean => (epochOfShard(key) ?? Number.POSITIVE_INFINITY) < live && shard.size > 0
  return swarm.cacheShards.shards().some(sealedAndFull) || swarm.resultShards.shards().some(sealedAndFull)
}

/**
 * One compaction, if due: returns the new root, or undefined when none was
 * due. Failures are not put in the tree (they may be forgotten and retried):
 * they are carried into the live epoch; so are result values no compacted
 * entry names (a report may still be waiting for its quorum).
 */
export async function compactCache(swarm: SwarmDoc, tree: CacheTree, o: CompactionOptions): Promise<Address | undefined> {
  if (o.sealedOnly === true ? !hasSealedShards(swarm) : !isCompactionDue(swarm, o.threshold)) return undefined
  const live = swarm.liveEpoch()
  const sealed = (key: string): boolean => (epochOfShard(key) ?? Number.POSITIVE_INFINITY) < live
  const sealedShards = swarm.cacheShards.shards().filter(([key]) => sealed(key))
  const sealedResults = swarm.resultShards.shards().filter(([key]) => sealed(key))
  const items: TreeEntry[] = []
  const failures: Array<{ key: TaskKey; entry: CacheEntry }> = []
  const named = new Set<Address>()
  const seen = new WeakSet<object>()
  for (const [, shard] of sealedShards) {
    for (const [key, raw] of swarm.cacheShards.entriesOf(shard)) {
      if (typeof raw === 'object' && raw !== null) seen.add(raw)
      const entry = checkCacheEntry(key as TaskKey, raw)
      if (entry === undefined) continue
      if (entry.kind === 'failure') failures.push({ key: key as TaskKey, entry })
      else {
        const inline = swarm.value(entry.result)?.inline
        named.add(entry.result)
        items.push(inline === undefined ? { key: key as TaskKey, entry } : { key: key as TaskKey, entry, inline })
      }
    }
  }
  const merge = mergeEntryBy(o.subjectOf)
  const valid = (e: TreeEntry): boolean => checkCacheEntry(e.key, e.entry) !== undefined
  // A root whose nodes nobody serves (or that are forged) is left as it is, neither merged nor
  // deleted: one bad root must not stop the cache from leaving the document.
  const listed = swarm.cacheTreeRoots()
  const roots: typeof listed = []
  let root: Address | undefined
  for (const candidate of listed) {
    try {
      root = root === undefined ? (await tree.node(candidate.root), candidate.root) : await tree.merge(root, candidate.root, merge, valid)
      roots.push(candidate)
    } catch {
      continue
    }
  }
  root = await tree.insert(root, items, merge)
  const count = root === undefined ? 0 : await tree.count(root)
  const replaces = roots.flatMap((r) => r.keys)
  const compacted = [...new Set([...sealedShards, ...sealedResults].map(([key]) => key).filter((key) => key !== ''))]
  const carried: Array<readonly [TaskKey, CacheEntry]> = failures.map(({ key, entry }) => [key, entry] as const)
  // Entries that reached the sealed shards while the tree was being built are not in it: carried over.
  for (const [, shard] of sealedShards) {
    for (const [key, raw] of swarm.cacheShards.entriesOf(shard)) {
      const entry = typeof raw === 'object' && raw !== null && !seen.has(raw) ? checkCacheEntry(key as TaskKey, raw) : undefined
      if (entry !== undefined) carried.push([key as TaskKey, entry])
    }
  }
  // Values stay listed while an entry left in the document names them, or while no compacted entry does (a report may).
  const stillNamed = new Set<string>()
  for (const [key, shard] of swarm.cacheShards.shards()) if (!sealed(key)) for (const [, raw] of swarm.cacheShards.entriesOf(shard)) if (isValueEntry(raw)) stillNamed.add(raw.result)
  for (const [, entry] of carried) if (entry.kind === 'value') stillNamed.add(entry.result)
  const carriedValues: Array<readonly [Address, Uint8Array]> = []
  for (const [, shard] of sealedResults) {
    for (const [address, raw] of shard.entries()) {
      const inline = storedValueOf(checkStoredValue(raw))?.inline
      if (inline !== undefined && (stillNamed.has(address) || !named.has(address as Address))) carriedValues.push([address as Address, inline])
    }
  }
  publishCompaction(swarm, { ...(root === undefined ? {} : { root }), count, by: o.self, at: o.now(), replaces, compacted, nextEpoch: o.sealedOnly === true ? live : live + 1, carried, carriedValues })
  return root
}

/** The merge rule, for entries meeting in the tree; the result value's bytes follow the entry that stands. */
export function mergeEntryBy(subjectOf: SubjectOf): (existing: TreeEntry, incoming: TreeEntry) => TreeEntry {
  return (existing, incoming) => {
    // Entries from another root are unchecked: one that fails its proofs gives way.
    const a = checkCacheEntry(existing.key, existing.entry)
    const b = checkCacheEntry(incoming.key, incoming.entry)
    if (a === undefined || b === undefined) return a === undefined && b !== undefined ? incoming : existing
    const merged = mergeCached(a, b, subjectOf)
    if (merged === undefined) return existing
    const inline = merged.kind === 'value' ? [existing, incoming].find((e) => (e.entry as CacheEntry).kind === 'value' && (e.entry as { result: string }).result === merged.result)?.inline : undefined
    return inline === undefined ? { key: existing.key, entry: merged } : { key: existing.key, entry: merged, inline }
  }
}

function isValueEntry(raw: unknown): raw is { kind: 'value'; result: string } {
  return typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'value' && typeof (raw as { result?: unknown }).result === 'string'
}
