import type { PeerId } from '../ids.ts'
import type { CacheEntry } from './schema.ts'

/**
 * Whose word a caller takes for a cached outcome. Every entry's proofs are
 * checked whatever the policy (`records.ts`); the policy says how many are
 * enough: one from a trusted peer (this peer itself, whose own results it
 * always accepts), else `quorum` distinct peers.
 */
export interface CachePolicy {
  readonly quorum: number
  readonly trusted: ReadonlySet<PeerId> | ((peer: PeerId) => boolean)
}

export function meetsPolicy(entry: CacheEntry, policy: CachePolicy): boolean {
  const trusted = policy.trusted
  const isTrusted = typeof trusted === 'function' ? trusted : (peer: PeerId) => trusted.has(peer)
  if (entry.proofs.some((proof) => isTrusted(proof.peer))) return true
  return entry.proofs.length >= policy.quorum
}
