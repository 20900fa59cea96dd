import type { ErrorRecord } from '../errors.ts'
import type { Identity } from '../identity/identity.ts'
import type { JobId, TaskKey } from '../ids.ts'
import { signOutcomes, signStatements } from '../swarm/outcome-proofs.ts'
import type { CacheEntry, Claim, ClaimTerms, Failure, Outcome, Report, TaskId } from '../swarm/schema.ts'
import { signClaims, timeoutFailure, timeoutStatement } from '../swarm/signed-claims.ts'

/** A report as an honest donor writes it: its outcome signed by `identity` (a batch of one). */
export function signedReport(identity: Identity, key: TaskKey, outcome: Outcome, fields: Partial<Pick<Report, 'attempt' | 'durationMs' | 'at'>> = {}): Report {
  const [proof] = signOutcomes(identity, [{ key, outcome }])
  return { peer: identity.peer, attempt: 1, durationMs: 1, at: 0, ...fields, outcome, proof: proof! }
}

/** A cache entry for `outcome` signed by each of `signers`, as write-back assembles it from their reports. */
export function signedCacheEntry(signers: readonly Identity[], key: TaskKey, outcome: Outcome): CacheEntry {
  const proofs = signers.map((signer) => ({ peer: signer.peer, ...signOutcomes(signer, [{ key, outcome }])[0]! }))
  return outcome.kind === 'value' ? { kind: 'value', result: outcome.result, proofs } : { kind: 'failure', error: outcome.error, proofs }
}

/** A claim as an honest donor writes it: `terms` (peer taken from `identity`) signed for task `task` of `job` (a batch of one). */
export function signedClaim(identity: Identity, job: JobId, task: TaskId, key: TaskKey, terms: Omit<ClaimTerms, 'peer'>): Claim {
  return signClaims(identity, job, [{ task, key, terms: { ...terms, peer: identity.peer } }])[0]!
}

/** A timeout as an honest donor records it: signed by the claimant whose attempt it was. */
export function signedTimeout(identity: Identity, job: JobId, task: TaskId, key: TaskKey, attempt: number, error: ErrorRecord = { name: 'TaskTimeoutError', message: `attempt ${attempt}` }, at = 0): Failure {
  const [proof] = signStatements(identity, [timeoutStatement(job, task, key, attempt, error)])
  return timeoutFailure(identity.peer, attempt, error, at, proof!)
}
