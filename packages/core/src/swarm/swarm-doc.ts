import * as Y from 'yjs'
import type { Address, JobId, PeerId, TaskKey } from '../ids.ts'
import {
  holderKey,
  storedValueOf,
  SWARM_DOC_GUID,
  type BlobHolder,
  type CacheEntry,
  type JobEntry,
  type ReadonlyDocMap,
  type StoredValue,
  type StoredValueRecord,
} from './schema.ts'

/**
 * Read access to the swarm document: jobs, the result cache, the value index
 * and who holds which blob. Writes go through `swarm/writes.ts` only.
 */
export class SwarmDoc {
  readonly jobs: ReadonlyDocMap<JobEntry>
  readonly cache: ReadonlyDocMap<CacheEntry>
  readonly values: ReadonlyDocMap<StoredValueRecord>
  readonly holders: ReadonlyDocMap<BlobHolder>

  constructor(readonly doc: Y.Doc = new Y.Doc({ guid: SWARM_DOC_GUID })) {
    this.jobs = doc.getMap('jobs')
    this.cache = doc.getMap('cache')
    this.values = doc.getMap('values')
    this.holders = doc.getMap('holders')
  }

  job(id: JobId): JobEntry | undefined {
    return this.jobs.get(id)
  }

  cached(key: TaskKey): CacheEntry | undefined {
    return this.cache.get(key)
  }

  value(address: Address): StoredValue | undefined {
    return storedValueOf(this.values.get(address))
  }

  /** Peers that have said they hold `address`, most recent first. */
  holdersOf(address: Address): PeerId[] {
    const prefix = `${address}/`
    const found: Array<{ peer: PeerId; at: number }> = []
    for (const [key, holder] of this.holders) {
      if (key.startsWith(prefix)) found.push({ peer: key.slice(prefix.length) as PeerId, at: holder.at })
    }
    return found.sort((a, b) => b.at - a.at).map((h) => h.peer)
  }

  /** Runs `fn` in one transaction, so its writes go out as one update. */
  transact(fn: () => void, origin?: unknown): void {
    this.doc.transact(fn, origin)
  }
}
