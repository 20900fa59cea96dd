import type { ErrorRecord } from '../errors.ts'
import type { Address, TaskKey } from '../ids.ts'

/**
 * What a call came to. A failure is cached as well: the function is pure, so it
 * would throw again; `forgetFailure` is the explicit way to try once more.
 */
export type CacheEntry =
  | { readonly kind: 'value'; readonly result: Address }
  | { readonly kind: 'failure'; readonly error: ErrorRecord }

/** task key → outcome, forever. */
export interface ResultCache {
  get(key: TaskKey): Promise<CacheEntry | undefined>
  /** A value never gets replaced by a failure; a failure may be replaced by a value. */
  set(key: TaskKey, entry: CacheEntry): Promise<void>
  /** Removes a cached failure; resolves true if there was one. Values are never forgotten. */
  forgetFailure(key: TaskKey): Promise<boolean>
  size(): Promise<number>
}

/** The merge rule every cache uses, so that peers agree. */
export function shouldReplace(existing: CacheEntry | undefined, incoming: CacheEntry): boolean {
  if (existing === undefined) return true
  return existing.kind === 'failure' && incoming.kind === 'value'
}
