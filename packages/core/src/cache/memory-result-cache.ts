import type { TaskKey } from '../ids.ts'
import { shouldReplace, type CacheEntry, type ResultCache } from './result-cache.ts'

export class MemoryResultCache implements ResultCache {
  readonly #entries = new Map<TaskKey, CacheEntry>()

  async get(key: TaskKey): Promise<CacheEntry | undefined> {
    return this.#entries.get(key)
  }

  async set(key: TaskKey, entry: CacheEntry): Promise<void> {
    if (shouldReplace(this.#entries.get(key), entry)) this.#entries.set(key, entry)
  }

  async forgetFailure(key: TaskKey): Promise<boolean> {
    if (this.#entries.get(key)?.kind !== 'failure') return false
    return this.#entries.delete(key)
  }

  async size(): Promise<number> {
    return this.#entries.size
  }
}
