import { signOutcomes, signStatements, timeoutStatement, type Identity, type JobId, type TaskKey } from '@tessera/core'
import { signedClaim } from '@tessera/core/testing'

/**
 * Records the stranger signs with its own key, as a claimant that claims
 * tasks and abandons them, or says they timed out, would write them.
 */

/** A valid signature by the stranger over something else: what a forgery in another's name can carry at best. */
export function forgedProof(stranger: Identity): unknown {
  return signOutcomes(stranger, [{ key: 'forged' as TaskKey, outcome: { kind: 'thrown', error: { name: 'Forged', message: 'forged' } } }])[0]
}

/** The stranger's own signed claim of the task. */
export function ownClaim(stranger: Identity, job: JobId, task: string, key: TaskKey, terms: { attempt: number; claimedAt: number; leaseUntil: number }): unknown {
  return signedClaim(stranger, job, task, key, { ...terms, batch: 1 })
}

/** The stranger's own signed word that its attempt at the task timed out (the proof of a timeout record). */
export function ownTimeout(stranger: Identity, job: JobId, task: string, key: TaskKey, attempt: number): unknown {
  return signStatements(stranger, [timeoutStatement(job, task, key, attempt, { name: 'TaskTimeoutError', message: 'forged' })])[0]
}
