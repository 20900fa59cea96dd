import type { Address, PeerId, TaskKey } from '../ids.ts'
import type { BlobStore } from '../interfaces/blob-store.ts'
import { meetsPolicy, type CachePolicy } from '../swarm/cache-policy.ts'
import { strongerEntry } from '../swarm/cache-merge.ts'
import { keysAsSubjects, type SubjectOf } from '../swarm/cache-strength.ts'
import { checkCacheEntry } from '../swarm/records.ts'
import type { CacheEntry } from '../swarm/schema.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import { CacheTree, type NodeStore } from './tree.ts'

/** What a compacted lookup tells the value store: a result's bytes the leaf carried (`ValueStore.learn`). */
export interface ResultLearner {
  learn(address: Address, bytes: Uint8Array): void
}

const UNREACHABLE_ROOT_MS = 60_000

/**
 * The cache as a reader sees it once entries are compacted: the document's
 * entries, then each tree root's (`tree.ts`). A root is only a pointer: every
 * entry found under it is checked like a document entry (`checkCacheEntry`),
 * every node against its address, and a root that leaves entries out costs
 * recomputation, never a wrong answer. Nodes come from the local store, else
 * from peers (the root's compactor first), and are kept where they arrive.
 */
export class CompactedCache {
  readonly tree: CacheTree
  #subjectOf: SubjectOf = keysAsSubjects
  #preferred: readonly PeerId[] = []
  readonly #unreachable = new Map<Address, number>()
  /** Wall time, for how long an unreachable root is skipped. */
  now: () => number = () => Date.now()

  constructor(
    private readonly swarm: SwarmDoc,
    private readonly values: ResultLearner,
    blobs: BlobStore,
  ) {
    this.tree = new CacheTree(nodeStoreOf(blobs, () => this.#preferred))
  }

  /** Which subject a signer counts as, where the document and a tree both hold an entry (`strongerEntry`). */
  weighSubjectsBy(subjectOf: SubjectOf): void {
    this.#subjectOf = subjectOf
  }

  /**
   * The entry for a call, wherever it is, if its proofs hold (and meet
   * `policy`). A result value the leaf carries is learned (`ValueStore.learn`),
   * so `values.get(entry.result)` finds it. Same contract as `SwarmDoc.cached`,
   * awaited.
   */
  async cached(key: TaskKey, policy?: CachePolicy): Promise<CacheEntry | undefined> {
    let entry = this.swarm.cached(key)
    for (const { root, by } of this.swarm.cacheTreeRoots()) {
      if ((this.#unreachable.get(root) ?? 0) > this.now()) continue
      this.#preferred = [by]
      let found: Awaited<ReturnType<CacheTree['lookup']>>
      try {
        found = await this.tree.lookup(root, key)
      } catch {
        // A root nobody serves, or whose nodes are forged, is skipped for a while rather than asked again on every lookup.
        this.#unreachable.set(root, this.now() + UNREACHABLE_ROOT_MS)
        continue
      }
      if (found === undefined) continue
      const checked = checkCacheEntry(key, found.entry)
      if (checked?.kind === 'value' && found.inline !== undefined) this.values.learn(checked.result, found.inline)
      entry = strongerEntry(entry, checked, this.#subjectOf)
    }
    return entry === undefined || policy === undefined || meetsPolicy(entry, policy) ? entry : undefined
  }
}

/** Nodes through a blob store: local first, then unlisted fetch from peers; made nodes kept without a holder record. */
export function nodeStoreOf(blobs: BlobStore, preferred: () => readonly PeerId[] = () => []): NodeStore {
  return {
    async get(address: Address): Promise<Uint8Array | undefined> {
      return (await blobs.get(address)) ?? (await blobs.fetchUnlisted?.(address, preferred()))
    },
    async put(address: Address, bytes: Uint8Array): Promise<void> {
      await (blobs.keep === undefined ? blobs.put(address, bytes) : blobs.keep(address, bytes))
    },
  }
}
