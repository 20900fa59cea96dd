import * as Y from 'yjs'
import type { Address, JobId, PeerId, TaskKey } from '../ids.ts'
import type { CacheEntry } from '../cache/result-cache.ts'
import { holderKey, storedValueOf, SWARM_DOC_GUID, type BlobHolder, type JobEntry, type StoredValue, type StoredValueRecord } from './schema.ts'

/** Typed access to the swarm document: jobs, the result cache, the value index and who holds which blob. */
export class SwarmDoc {
  readonly jobs: Y.Map<JobEntry>
  readonly cache: Y.Map<CacheEntry>
  readonly values: Y.Map<StoredValueRecord>
  readonly holders: Y.Map<BlobHolder>

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

  /** Records that `peer` holds the bytes of `address`; idempotent. */
  addHolder(address: Address, peer: PeerId, at: number): void {
    const key = holderKey(address, peer)
    if (!this.holders.has(key)) this.holders.set(key, { at })
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
