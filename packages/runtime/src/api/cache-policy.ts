import type { CachePolicy, JobOptions } from '@tessera/core'
import type { SwarmParts } from './swarm-parts.ts'

/**
 * Whose cached word a call takes: its own peer's always (the results this
 * key signed), anyone else's once `quorum` distinct subjects (keys as the
 * signaling server certified them) signed the same outcome. An entry with fewer signers is treated as missing, so the call
 * runs again with that quorum and the new reports strengthen the entry.
 */
export function cachePolicyFor(parts: SwarmParts, options: Pick<JobOptions, 'quorum'>): CachePolicy {
  const subjects = parts.tracker.subjects
  return { quorum: options.quorum ?? 1, trusted: new Set([parts.peer.id]), subjectOf: (peer) => subjects.subjectOf(peer) }
}
