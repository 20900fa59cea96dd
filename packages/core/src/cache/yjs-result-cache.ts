import type { TaskKey } from '../ids.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import { shouldReplace, type CacheEntry, type ResultCache } from './result-cache.ts'

/** The result cache as it is replicated: the `cache` map of the swarm document. */
export class YjsResultCache implements ResultCache {
  constructor(private readonly swarm: SwarmDoc) {}

  async get(key: TaskKey): Promise<CacheEntry | undefined> {
    return this.swarm.cache.get(key)
  }

  async set(key: TaskKey, entry: CacheEntry): Promise<void> {
    if (shouldReplace(this.swarm.cache.get(key), entry)) this.swarm.cache.set(key, entry)
  }

  async forgetFailure(key: TaskKey): Promise<boolean> {
    if (this.swarm.cache.get(key)?.kind !== 'failure') return false
    this.swarm.cache.delete(key)
    return true
  }

  async size(): Promise<number> {
    return this.swarm.cache.size
  }
}
