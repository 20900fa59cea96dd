import { JobOwnerError } from '../errors.ts'
import type { Identity } from '../identity/identity.ts'
import { verifyPeerSignature } from '../identity/signatures.ts'
import type { JobEntry, JobSpec, JobState } from './schema.ts'

/**
 * A job entry is its submitter's signed word: the spec and the state it is in.
 * Only the submitter's key can publish a job, mark it done or cancel it, so no
 * other peer can list a job in its name, and only a room admin may cancel
 * it besides (`admin-cancellation.ts`). Whoever writes the signed entry into
 * the document does not matter: the signature does (`tessera stop` signs with
 * the stored key of the host that submitted).
 */
const STATEMENT_TAG = 'tessera/job@1'
const utf8 = new TextEncoder()

/** The signed bytes: every field of the entry but the signature, in a fixed order. */
export function jobStatement(spec: JobSpec, state: JobState): Uint8Array {
  return utf8.encode(JSON.stringify([STATEMENT_TAG, ...specFields(spec), state]))
}

/** A job's spec as signed statements list it: every field, in a fixed order. */
export function specFields(spec: JobSpec): Array<string | number> {
  return [
    spec.id,
    spec.fn,
    spec.name,
    spec.taskCount,
    spec.quorum,
    spec.maxAttempts,
    spec.maxLostLeases,
    spec.leaseMs,
    spec.timeoutMs,
    spec.submittedBy,
    spec.createdAt,
    // Only when set, so entries signed before adaptive replication existed still verify.
    ...(spec.replication === undefined ? [] : [spec.replication]),
  ]
}

/** Thrown when a key other than the submitter's tries to publish, finish or cancel a job. */
export function signJobEntry(signer: Identity, spec: JobSpec, state: JobState): JobEntry {
  if (signer.peer !== spec.submittedBy) throw new JobOwnerError(`job ${spec.id} belongs to ${spec.submittedBy}; ${signer.peer} cannot sign it`)
  const fields = specOf(spec)
  return { ...fields, state, sig: signer.sign(jobStatement(fields, state)) }
}

/** The spec's own fields, and nothing else an entry carries (its state, signatures, or fields a peer added). */
export function specOf(spec: JobSpec): JobSpec {
  const { id, fn, name, taskCount, quorum, maxAttempts, maxLostLeases, leaseMs, timeoutMs, submittedBy, createdAt, replication } = spec
  return { id, fn, name, taskCount, quorum, maxAttempts, maxLostLeases, leaseMs, timeoutMs, submittedBy, createdAt, ...(replication === undefined ? {} : { replication }) }
}

/** Whether the entry is signed by its submitter. Never throws. */
export function isSignedBySubmitter(entry: JobEntry): boolean {
  return verifyPeerSignature(entry.submittedBy, jobStatement(entry, entry.state), entry.sig)
}
