import type { Address } from '@tessera/core'

/** A blob a pinning host holds: its size on disk and when it was last stored or served. */
export interface HeldBlob {
  readonly address: Address
  readonly size: number
  readonly usedAt: number
}

/** What no eviction may drop, as the pinning host reads it from the swarm's documents. */
export interface Keep {
  /** The function sources and arguments of open jobs: donors still need them. */
  readonly openJobInputs: ReadonlySet<Address>
  /** Every address a cached result names. */
  readonly results: ReadonlySet<Address>
  /** A result stored or served within this window is kept; older ones are evictable like anything else. */
  readonly resultWindowMs: number
  readonly now: number
}

export interface EvictionPlan {
  /** Least recently used first: delete these, in this order. */
  readonly evict: readonly Address[]
  /** Bytes held once they are gone (plus `incoming`). */
  readonly bytesAfter: number
  /** Whether that is within the quota; false when what must be kept alone is over it. */
  readonly fits: boolean
}

/** Whether `blob` must stay whatever the quota says. */
export function mustKeep(blob: HeldBlob, keep: Keep): boolean {
  if (keep.openJobInputs.has(blob.address)) return true
  return keep.results.has(blob.address) && keep.now - blob.usedAt < keep.resultWindowMs
}

/**
 * Which blobs to drop so that `held` plus `incoming` bytes fit in `quotaBytes`:
 * least recently used (stored or served) first, never one `mustKeep` protects,
 * and nothing at all when they already fit. When even dropping every
 * evictable blob is not enough, the plan drops them all and says it does not fit;
 * the caller decides whether the incoming blob is worth going over the quota.
 */
export function planEviction(held: readonly HeldBlob[], quotaBytes: number, keep: Keep, incoming = 0): EvictionPlan {
  let bytes = incoming
  for (const blob of held) bytes += blob.size
  if (bytes <= quotaBytes) return { evict: [], bytesAfter: bytes, fits: true }
  const candidates = held.filter((blob) => !mustKeep(blob, keep)).sort((a, b) => a.usedAt - b.usedAt || (a.address < b.address ? -1 : 1))
  const evict: Address[] = []
  for (const blob of candidates) {
    if (bytes <= quotaBytes) break
    evict.push(blob.address)
    bytes -= blob.size
  }
  return { evict, bytesAfter: bytes, fits: bytes <= quotaBytes }
}
