import * as v from 'valibot'
import type { ErrorRecord } from '../errors.ts'
import type { Identity } from '../identity/identity.ts'
import { ProvenLeaves, type StatementFields } from '../identity/proven-leaves.ts'
import type { JobId, PeerId, TaskKey } from '../ids.ts'
import { signStatements, verifyStatement, type Statement } from './outcome-proofs.ts'
import { checker, errorRecordSchema, idSchema, intSchema, isTaskId, MAX_ATTEMPTS, MAX_TASK_COUNT, proofSchema, record, timeSchema } from './records.ts'
import type { Claim, ClaimTerms, Failure, JobSpec, OutcomeProof, TaskId } from './schema.ts'

/**
 * Claims and failures belong to their claimant. Yjs updates carry no author,
 * so any peer can write a claim in another's name, or record that another's
 * attempt timed out or lost its lease; unsigned, one stranger could hold every
 * task ("running" under someone else's name) or fail it for good (8 lost
 * leases, 3 timeouts) and so flag an honest caller's result. So:
 *
 * - a claim counts only with its claimant's signature over its terms, its job,
 *   task and task key. A donor signs each claiming or renewing transaction as
 *   one Merkle batch (`signStatements`), so renewing many tasks costs one
 *   signature;
 * - a timeout counts only with the signature of the claimant it names;
 * - a lost lease counts only if it carries the lapsed claim, signed by its
 *   claimant; whether that lease has passed is judged by each reader's clock,
 *   in the scheduler (`scheduler/failure-tally.ts`), which also counts them per
 *   subject.
 *
 * Statements name the job and task, so a claim or timeout copied into another
 * task or job proves nothing there. Records without signatures (written
 * before 2026-12-01) count as absent.
 */

const CLAIM_TAG = 'tessera/claim@1'
const TIMEOUT_TAG = 'tessera/timeout@1'

/** The signed leaf of a claim: a JSON array, one spelling for given values (as `outcomeStatement`). */
export function claimStatement(job: JobId, task: TaskId, key: TaskKey, terms: ClaimTerms): Statement {
  return JSON.stringify([CLAIM_TAG, ...claimFields(job, task, key, terms)])
}

/** The values a claim's statement encodes, in its order. */
function claimFields(job: JobId, task: TaskId, key: TaskKey, terms: ClaimTerms): StatementFields {
  return [job, task, key, terms.peer, terms.attempt, terms.claimedAt, terms.leaseUntil, terms.batch]
}

/** The signed leaf of a timeout: the claimant's word that its attempt ran out of time, with the error's name and message. */
export function timeoutStatement(job: JobId, task: TaskId, key: TaskKey, attempt: number, error: ErrorRecord): Statement {
  return JSON.stringify([TIMEOUT_TAG, job, task, key, attempt, error.name, error.message])
}

/** The claims of one transaction, signed by `identity` as one batch; claims in the same order. */
export function signClaims(identity: Identity, job: JobId, items: ReadonlyArray<{ readonly task: TaskId; readonly key: TaskKey; readonly terms: ClaimTerms }>): Claim[] {
  const terms = items.map((item) => termsOf({ ...item.terms, peer: identity.peer }))
  const proofs = signStatements(identity, items.map((item, i) => claimStatement(job, item.task, item.key, terms[i]!)))
  const claims = terms.map((claim, i) => ({ ...claim, proof: proofs[i]! }))
  // The claimant reads its own claims back on every tick: what it just signed needs no check.
  claims.forEach((claim, i) => provenClaims.add(claim.peer, claim.proof, claimFields(job, items[i]!.task, items[i]!.key, claim)))
  return claims
}

/** A claim's terms alone: what a renewal starts from, without the old proof. */
export function termsOf(claim: ClaimTerms): ClaimTerms {
  return { peer: claim.peer, attempt: claim.attempt, claimedAt: claim.claimedAt, leaseUntil: claim.leaseUntil, batch: claim.batch }
}

/** A timeout as its claimant records it; `proof` is its leaf of a batch the claimant signed (`timeoutStatement`). */
export function timeoutFailure(peer: PeerId, attempt: number, error: ErrorRecord, at: number, proof: OutcomeProof): Failure {
  // The stack is not signed, so none is written: a reader refuses one (a stranger could swap it).
  return { peer, attempt, kind: 'timeout', error: { name: error.name, message: error.message }, at, proof }
}

/** A lost lease as the next claimant records it: the lapsed claim itself, as its claimant signed it. */
export function lapsedLease(lapsed: Claim, at: number): Failure {
  return { peer: lapsed.peer, attempt: lapsed.attempt, kind: 'lease-expired', error: lapsedLeaseError(lapsed.peer), at, lapsed }
}

/** The one error a lost lease records; a reader refuses any other (nobody signs it). */
export function lapsedLeaseError(peer: PeerId): ErrorRecord {
  return { name: 'LeaseExpiredError', message: `peer ${peer} stopped renewing its lease` }
}

const termFields = {
  peer: idSchema,
  attempt: intSchema(1, MAX_ATTEMPTS),
  claimedAt: timeSchema,
  leaseUntil: timeSchema,
  batch: intSchema(1, MAX_TASK_COUNT),
}
const claimSchema = record({ ...termFields, proof: proofSchema })
const failureFields = { peer: idSchema, attempt: intSchema(1, MAX_ATTEMPTS), error: errorRecordSchema, at: timeSchema }
const failureSchema = v.variant('kind', [
  record({ ...failureFields, kind: v.literal('timeout'), proof: proofSchema }),
  record({ ...failureFields, kind: v.literal('lease-expired'), lapsed: claimSchema }),
])
const isClaimShaped = checker<Claim>(claimSchema)
const isFailureShaped = checker<Failure>(failureSchema)

/**
 * Verdicts per record object and what it was checked against: Yjs hands back
 * the same object on every read, and the scheduler reads a claim many times.
 */
const verdicts = new WeakMap<object, { readonly job: JobId; readonly task: TaskId; readonly key: TaskKey; readonly valid: boolean }>()

function remembered(input: object, job: JobId, task: TaskId, key: TaskKey, check: () => boolean): boolean {
  const known = verdicts.get(input)
  if (known !== undefined && known.job === job && known.task === task && known.key === key) return known.valid
  const valid = check()
  verdicts.set(input, { job, task, key, valid })
  return valid
}

function isSignedClaim(job: JobId, task: TaskId, key: TaskKey, claim: Claim): boolean {
  return remembered(claim, job, task, key, () => {
    // Every replica holds its own copy of a claim; a simulation runs fifty in one process. By content, then.
    const fields = claimFields(job, task, key, claim)
    if (provenClaims.has(claim.peer, claim.proof, fields)) return true
    const verdict = verifyStatement(claim.peer, claimStatement(job, task, key, claim), claim.proof)
    if (verdict) provenClaims.add(claim.peer, claim.proof, fields)
    return verdict
  })
}
/** Good claim proofs by everything they name (`proven-leaves.ts`); forgeries are checked in full each time a new record object shows one. */
const provenClaims = new ProvenLeaves(1 << 15)

/** A claim proven by other means (its pack's signature, `claim-packs.ts`): its readers need not climb its audit path. */
export function rememberClaim(job: JobId, task: TaskId, key: TaskKey, claim: Claim): void {
  provenClaims.add(claim.peer, claim.proof, claimFields(job, task, key, claim))
}

/** The claim under task `task` of `spec`'s job, whose key is `key`, if its claimant signed it for this task. */
export function checkClaim(task: string, input: unknown, spec: JobSpec, key: TaskKey): Claim | undefined {
  if (!isTaskId(task, spec.taskCount) || !isClaimShaped(input)) return undefined
  return isSignedClaim(spec.id, task, key, input) ? input : undefined
}

/**
 * A failure keyed `task/attempt` of the task whose key is `key`: the attempt in
 * the map key must be the failure's, and the record must show that its claimant
 * failed (a timeout it signed, or a claim of its that lapsed).
 */
export function checkFailure(task: string, attempt: string, input: unknown, spec: JobSpec, key: TaskKey): Failure | undefined {
  if (!isTaskId(task, spec.taskCount) || !isFailureShaped(input) || String(input.attempt) !== attempt) return undefined
  const valid = remembered(input, spec.id, task, key, () => {
    if (input.kind === 'timeout') {
      return input.error.stack === undefined && input.proof !== undefined && verifyStatement(input.peer, timeoutStatement(spec.id, task, key, input.attempt, input.error), input.proof)
    }
    const lapsed = input.lapsed
    const error = lapsedLeaseError(input.peer)
    return (
      lapsed !== undefined &&
      lapsed.peer === input.peer &&
      lapsed.attempt === input.attempt &&
      input.error.name === error.name &&
      input.error.message === error.message &&
      input.error.stack === undefined &&
      isSignedClaim(spec.id, task, key, lapsed)
    )
  })
  return valid ? input : undefined
}
