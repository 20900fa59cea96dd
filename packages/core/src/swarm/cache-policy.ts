import type { PeerId } from '../ids.ts'
import type { CacheEntry } from './schema.ts'

/**
 * Whose word a caller takes for a cached outcome. Every entry's proofs are
 * checked whatever the policy (`records.ts`); the policy says how many are
 * enough: one from a trusted peer (this peer itself, whose own results it
 * always accepts), else `quorum` distinct subjects.
 */
export interface CachePolicy {
  readonly quorum: number
  readonly trusted: ReadonlySet<PeerId> | ((peer: PeerId) => boolean)
  /** Which subject a signer counts as (`peer/subjects.ts`); by default each key is its own. */
  readonly subjectOf?: (peer: PeerId) => string | undefined
}

/** Whether a trusted peer signed the entry, or `quorum` distinct subjects did. */
export function meetsPolicy(entry: CacheEntry, policy: CachePolicy): boolean {
  const trusted = policy.trusted
  const isTrusted = typeof trusted === 'function' ? trusted : (peer: PeerId) => trusted.has(peer)
  if (entry.proofs.some((proof) => isTrusted(proof.peer))) return true
  const subjectOf = policy.subjectOf ?? ((peer: PeerId) => peer)
  const subjects = new Set<string>()
  for (const proof of entry.proofs) {
    const subject = subjectOf(proof.peer)
    if (subject !== undefined) subjects.add(subject)
  }
  return subjects.size >= policy.quorum
}
