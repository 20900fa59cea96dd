import type { CachePolicy, JobOptions } from '@tessera/core'
import type { SwarmParts } from './swarm-parts.ts'

/**
 * Whose cached word a call takes: its own peer's always (the results this
 * key signed), anyone else's once `quorum` distinct peers signed the same
 * outcome. An entry with fewer signers is treated as missing, so the call
 * runs again with that quorum and the new reports strengthen the entry.
 */
export function cachePolicyFor(parts: SwarmParts, options: Pick<JobOptions, 'quorum'>): CachePolicy {
  return { quorum: options.quorum ?? 1, trusted: new Set([parts.peer.id]) }
}
