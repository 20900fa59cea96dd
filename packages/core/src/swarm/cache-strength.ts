import type { PeerId } from '../ids.ts'
import type { SignedOutcome } from './schema.ts'

/**
 * Which subject a signer counts as: `Subjects.subjectOf` (`peer/subjects.ts`),
 * the same lookup readers count quorum with. Undefined: the key counts for
 * none (a server certifies subjects and this key has no certificate).
 */
export type SubjectOf = (peer: PeerId) => string | undefined

/** Each key its own subject: how quorum counts where no server certifies subjects. */
export const keysAsSubjects: SubjectOf = (peer) => peer

/**
 * How much an entry's proofs weigh in the merge rule: distinct subjects
 * first, then signers that have a subject. Keys without one weigh nothing,
 * so an attacker's uncertified keys never outweigh a certified honest peer;
 * where every key is its own subject both numbers are the signer count.
 */
export interface Strength {
  readonly subjects: number
  readonly signers: number
}

export function strengthOf(proofs: readonly SignedOutcome[], subjectOf: SubjectOf): Strength {
  const subjects = new Set<string>()
  let signers = 0
  for (const proof of proofs) {
    const subject = subjectOf(proof.peer)
    if (subject === undefined) continue
    subjects.add(subject)
    signers++
  }
  return { subjects: subjects.size, signers }
}

/** Whether `a` strictly outweighs `b`: more subjects, or as many and more signers with a subject. */
export function outweighs(a: Strength, b: Strength): boolean {
  return a.subjects !== b.subjects ? a.subjects > b.subjects : a.signers > b.signers
}

/**
 * At most `limit` of the proofs, in their order, choosing one proof per
 * subject first, then the rest in order. So a cap filled with keys of one
 * subject (or with keys of none) still makes room for a new subject, and the
 * proofs listed first are never displaced by later ones of a subject already
 * counted: merging can only add subjects.
 */
export function strongestProofs(proofs: readonly SignedOutcome[], subjectOf: SubjectOf, limit: number): SignedOutcome[] {
  if (proofs.length <= limit) return [...proofs]
  const chosen = new Set<number>()
  const subjects = new Set<string>()
  proofs.forEach((proof, i) => {
    const subject = subjectOf(proof.peer)
    if (subject === undefined || subjects.has(subject) || chosen.size >= limit) return
    subjects.add(subject)
    chosen.add(i)
  })
  for (let i = 0; i < proofs.length && chosen.size < limit; i++) chosen.add(i)
  return proofs.filter((_, i) => chosen.has(i))
}
