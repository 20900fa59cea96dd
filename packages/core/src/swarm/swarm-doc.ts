import * as Y from 'yjs'
import type { Address, JobId, TaskKey } from '../ids.ts'
import type { CacheEntry } from '../cache/result-cache.ts'
import { SWARM_DOC_GUID, type JobEntry, type StoredValue } from './schema.ts'

/** Typed access to the swarm document: jobs, the result cache and the value index. */
export class SwarmDoc {
  readonly jobs: Y.Map<JobEntry>
  readonly cache: Y.Map<CacheEntry>
  readonly values: Y.Map<StoredValue>

  constructor(readonly doc: Y.Doc = new Y.Doc({ guid: SWARM_DOC_GUID })) {
    this.jobs = doc.getMap('jobs')
    this.cache = doc.getMap('cache')
    this.values = doc.getMap('values')
  }

  job(id: JobId): JobEntry | undefined {
    return this.jobs.get(id)
  }

  cached(key: TaskKey): CacheEntry | undefined {
    return this.cache.get(key)
  }

  value(address: Address): StoredValue | undefined {
    return this.values.get(address)
  }

  /** Runs `fn` in one transaction, so its writes go out as one update. */
  transact(fn: () => void, origin?: unknown): void {
    this.doc.transact(fn, origin)
  }
}
