import { outcomeId } from '../scheduler/outcome.ts'
import { outweighs, strengthOf, strongestProofs, type SubjectOf } from './cache-strength.ts'
import { MAX_QUORUM } from './records.ts'
import { outcomeOfEntry, type CacheEntry } from './schema.ts'

/**
 * The merge rule every cache writer follows, so that peers agree. What stands
 * in the document is what readers verified (`SwarmDoc.cached`); a forged or
 * malformed entry counts as none. Entries weigh by distinct subjects, as
 * readers count quorum (`subjectOf`: `Subjects.subjectOf`; a key with no
 * subject weighs nothing), then by signers that have one (`cache-strength.ts`).
 *
 * - A value beats a failure, whatever their weight.
 * - The same outcome gains the incoming signers, a new subject's first
 *   (`strongestProofs`): merging never loses a subject.
 * - A different outcome of the same kind replaces the entry only when it
 *   outweighs it, and then is written whole: the displaced proofs vouch for
 *   another outcome. So an entry Sybil keys of one subject signed gives way
 *   to two honest subjects, and an honest entry comes back once it has more
 *   subjects than the lie.
 *
 * Outweighing is strict, so two writers with the same view of subjects never
 * undo each other. Views differ only while certificates are still arriving,
 * and writers write when their work finishes (or once for a settled task
 * whose entry is missing), never because an entry changed, so a difference
 * costs at most a write each, never a loop.
 * Returns the entry to write, or undefined to leave the document as it is.
 */
export function mergeCached(existing: CacheEntry | undefined, incoming: CacheEntry, subjectOf: SubjectOf): CacheEntry | undefined {
  const whole = (): CacheEntry => ({ ...incoming, proofs: strongestProofs(incoming.proofs, subjectOf, MAX_QUORUM) })
  if (existing === undefined) return whole()
  if (existing.kind !== incoming.kind) return incoming.kind === 'value' ? whole() : undefined
  if (outcomeId(outcomeOfEntry(existing)) !== outcomeId(outcomeOfEntry(incoming))) {
    return outweighs(strengthOf(incoming.proofs, subjectOf), strengthOf(existing.proofs, subjectOf)) ? whole() : undefined
  }
  const signers = new Set(existing.proofs.map((proof) => proof.peer))
  const added = incoming.proofs.filter((proof) => !signers.has(proof.peer) && signers.add(proof.peer) !== undefined)
  if (added.length === 0) return undefined
  const proofs = strongestProofs([...existing.proofs, ...added], subjectOf, MAX_QUORUM)
  // When the cap is full, a proof that brings no new subject does not fit, and then nothing changes.
  if (!proofs.some((proof) => added.includes(proof))) return undefined
  return { ...existing, proofs }
}

/**
 * Of two entries for one key, as a reader finds them in two places (two
 * shards, or the document and the tree), the one that stands: a value over a
 * failure, else the one of more weight (`outweighs`), else the first. Writers
 * merge what they read into what they write (`mergeCached`), so the stronger
 * entry already carries the other's proofs when it names the same outcome.
 * `undefined` stands for an entry that failed its check.
 */
export function strongerEntry(a: CacheEntry | undefined, b: CacheEntry | undefined, subjectOf: SubjectOf): CacheEntry | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  if (a.kind !== b.kind) return a.kind === 'value' ? a : b
  return outweighs(strengthOf(b.proofs, subjectOf), strengthOf(a.proofs, subjectOf)) ? b : a
}
