import { ADAPTIVE_QUORUM, type CachePolicy, type JobOptions } from '@tessera/core'
import type { SwarmParts } from './swarm-parts.ts'

/** One policy per connection and quorum: a memoized hit asks for it on every call, and closures cost more than the lookup. */
const policies = new WeakMap<SwarmParts, Map<number, CachePolicy>>()

/**
 * Whose cached word a call takes: a signer this connection trusts outright
 * (its own key, its own subject unless that is only a shared network, the
 * subjects it names in `trust`), else `quorum` distinct subjects (keys as the
 * signaling server certified them) that signed the same outcome. An entry
 * with fewer is treated as missing, so the call runs again with that quorum
 * and the new reports strengthen the entry. Trust earned in adaptive
 * replication is not enough for the cache: it accepts live results with
 * spot checks, and a cached one would never be checked.
 */
export function cachePolicyFor(parts: SwarmParts, options: Pick<JobOptions, 'quorum' | 'adaptive'>): CachePolicy {
  const adaptive = options.adaptive ?? parts.jobDefaults?.adaptive ?? false
  const quorum = options.quorum ?? parts.jobDefaults?.quorum ?? (adaptive ? ADAPTIVE_QUORUM : 1)
  let byQuorum = policies.get(parts)
  if (byQuorum === undefined) policies.set(parts, (byQuorum = new Map()))
  let policy = byQuorum.get(quorum)
  if (policy === undefined) {
    // Trust and subjects are read at each use: they change as peers come and certificates arrive.
    policy = { quorum, trusted: (peer) => parts.trust.trusts(peer), subjectOf: (peer) => parts.tracker.subjects.subjectOf(peer) }
    byQuorum.set(quorum, policy)
  }
  return policy
}
