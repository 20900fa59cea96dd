import type * as Y from 'yjs'
import type { Address, JobId, PeerId, TaskKey } from '../ids.ts'
import { CANCELLATION_KEY, type JobDoc } from './job-doc.ts'
import type { Identity } from '../identity/identity.ts'
import type { SubjectCertificate } from '../identity/subject-certificate.ts'
import { signAdminCancellation } from './admin-cancellation.ts'
import { signJobEntry } from './job-signature.ts'
import { JobOwnerError } from '../errors.ts'
import {
  failureKey,
  holderKey,
  outcomeOfEntry,
  reportKey,
  type Backup,
  type BlobHolder,
  type CacheEntry,
  type Claim,
  type Failure,
  type JobEntry,
  type JobSpec,
  type ReadonlyDocMap,
  type Report,
  type StoredValueRecord,
  type TaskId,
  type TaskRecord,
  type VerdictRecord,
} from './schema.ts'
import type { SwarmDoc } from './swarm-doc.ts'
import { outcomeId } from '../scheduler/outcome.ts'
import { checkJobEntry, MAX_QUORUM } from './records.ts'
import { outweighs, strengthOf, strongestProofs, type SubjectOf } from './cache-strength.ts'

/**
 * The one place that writes the shared documents. Every other module reads
 * them through `SwarmDoc`, `JobDoc` and `JobIndex`, whose maps have no `set`
 * or `delete`; each operation here keeps the rule that makes concurrent
 * writers agree (entries are written whole; a cached value is never replaced
 * by a failure; a job leaves `open` once). Callers group writes with
 * `transact` so they leave as one update.
 */

function writable<T>(map: ReadonlyDocMap<unknown>): Y.Map<T> {
  return map as unknown as Y.Map<T>
}

// ---- The swarm document -------------------------------------------------

/** Lists a job as open, signed by its submitter (`signer`); its tasks are already in its own document. */
export function publishJob(swarm: SwarmDoc, spec: JobSpec, signer: Identity): void {
  writable<JobEntry>(swarm.jobs).set(spec.id, signJobEntry(signer, spec, 'open'))
}

/** Every task has settled: the job is done. Only its submitter can say so; a no-op unless it is still open. */
export function markJobDone(swarm: SwarmDoc, id: JobId, signer: Identity): void {
  const entry = swarm.job(id)
  if (entry?.state === 'open' && entry.submittedBy === signer.peer) writable<JobEntry>(swarm.jobs).set(id, signJobEntry(signer, entry, 'done'))
}

/**
 * Writes back a job entry a stranger overwrote: the last one this peer saw
 * signed. Yjs keeps one value per key, so without it the job would be gone
 * for every peer that joins later. Only a valid entry is written.
 */
export function restoreJobEntry(swarm: SwarmDoc, entry: JobEntry): void {
  if (checkJobEntry(entry.id, entry, swarm.admins) !== undefined) writable<JobEntry>(swarm.jobs).set(entry.id, entry)
}

/**
 * Cancels a job: donors drop its tasks and its followers stop. Only the
 * submitter's key can (`JobOwnerError` otherwise). The signed entry goes into
 * the job's own document too, where peers that follow only the job see it.
 * Returns false when it was not open.
 */
export function cancelJob(swarm: SwarmDoc, id: JobId, signer: Identity, job?: JobDoc): boolean {
  const entry = swarm.job(id)
  if (entry?.state !== 'open') return false
  const cancelled = signJobEntry(signer, entry, 'cancelled')
  if (job !== undefined) writable<JobEntry>(job.control).set(CANCELLATION_KEY, cancelled)
  writable<JobEntry>(swarm.jobs).set(id, cancelled)
  return true
}

/**
 * Cancels another's job as a room admin (`admin-cancellation.ts`): `signer`
 * signs, and `certificate` (its own, `admin: true`) rides along. Throws
 * `JobOwnerError` when the peers of this room would not believe it (the
 * certificate is not the signer's, says no admin, is from an issuer or room
 * this peer does not trust, or expired before the job was created): written,
 * such an entry would only hide the job. Returns false when it was not open.
 */
export function cancelJobAsAdmin(swarm: SwarmDoc, id: JobId, signer: Identity, certificate: SubjectCertificate, job?: JobDoc): boolean {
  const entry = swarm.job(id)
  if (entry?.state !== 'open') return false
  const cancelled = signAdminCancellation(signer, certificate, entry)
  if (checkJobEntry(id, cancelled, swarm.admins) === undefined) throw new JobOwnerError(`the admin certificate of ${signer.peer} is not valid in this room for job ${id}`)
  if (job !== undefined) writable<JobEntry>(job.control).set(CANCELLATION_KEY, cancelled)
  writable<JobEntry>(swarm.jobs).set(id, cancelled)
  return true
}

/**
 * Forgets a job. Its claims, reports and failures lived in its own document,
 * which is destroyed here, so the swarm document keeps only what lasts: the
 * result cache and the values it names.
 */
export function dropJob(swarm: SwarmDoc, id: JobId, job?: JobDoc): void {
  writable<JobEntry>(swarm.jobs).delete(id)
  job?.doc.destroy()
}

/** Lists a value in the index: its bytes when small, else only its size (the bytes are a blob). Idempotent. */
export function recordValue(swarm: SwarmDoc, address: Address, bytes: Uint8Array, inlineLimit: number): void {
  const large = bytes.byteLength > inlineLimit
  // An entry that is malformed, or that leaves out a small value's bytes, is written over: otherwise a
  // stranger who listed the address first would keep the value from ever being stored.
  const listed = swarm.value(address)
  if (listed !== undefined && (large || listed.inline !== undefined)) return
  // Yjs stores bytes bare only when their constructor is exactly Uint8Array (not a Buffer).
  const inline = large ? undefined : bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes)
  writable<StoredValueRecord>(swarm.values).set(address, inline ?? { size: bytes.byteLength })
}

/** Keeps a peer's subject certificate where every peer can check quorum by it later. Idempotent. */
export function publishCertificate(swarm: SwarmDoc, certificate: SubjectCertificate): void {
  const current = swarm.certs.get(certificate.peer) as { sig?: unknown } | undefined
  if (current?.sig !== certificate.sig) writable<SubjectCertificate>(swarm.certs).set(certificate.peer, certificate)
}

/** Records that `peer` holds the bytes of `address`. Idempotent. */
export function addHolder(swarm: SwarmDoc, address: Address, peer: PeerId, at: number): void {
  const key = holderKey(address, peer)
  if (!swarm.holders.has(key)) writable<BlobHolder>(swarm.holders).set(key, { at })
}

/** Withdraws `peer`'s word that it holds `address` (a pinning host that evicted it), so fetchers ask others first. */
export function removeHolder(swarm: SwarmDoc, address: Address, peer: PeerId): void {
  const key = holderKey(address, peer)
  if (swarm.holders.has(key)) writable<BlobHolder>(swarm.holders).delete(key)
}

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
 * Caches an outcome with its signers' proofs under its task key, by
 * `mergeCached`, weighing signers by `subjectOf` (the caller's `Subjects`).
 * Returns whether it wrote.
 */
export function cacheOutcome(swarm: SwarmDoc, key: TaskKey, entry: CacheEntry, subjectOf: SubjectOf): boolean {
  const merged = mergeCached(swarm.cached(key), entry, subjectOf)
  if (merged === undefined) return false
  writable<CacheEntry>(swarm.cache).set(key, merged)
  return true
}

/** Removes a cached failure, so the call can be tried again; values are never forgotten. */
export function forgetFailure(swarm: SwarmDoc, key: TaskKey): boolean {
  if (swarm.cached(key)?.kind !== 'failure') return false
  writable<CacheEntry>(swarm.cache).delete(key)
  return true
}

// ---- A job's document ---------------------------------------------------

export function addTasks(job: JobDoc, tasks: readonly TaskRecord[]): void {
  const map = writable<TaskRecord>(job.tasks)
  for (const task of tasks) map.set(String(task.index), task)
}

/**
 * Claims a task. Concurrent claims meet on the task's key and one wins on
 * every peer. A lapsed claim it replaces is recorded as a lost lease.
 */
export function claimTask(job: JobDoc, task: TaskId, claim: Claim, lapsed?: Failure): void {
  if (lapsed !== undefined) writable<Failure>(job.failures).set(failureKey(task, lapsed.attempt), lapsed)
  writable<Claim>(job.claims).set(task, claim)
}

/** Extends the claimant's own lease; the claim must be the caller's. */
export function renewClaim(job: JobDoc, task: TaskId, claim: Claim): void {
  writable<Claim>(job.claims).set(task, claim)
}

/** A second runner for a straggler; at most one per task, the last writer wins. */
export function startBackup(job: JobDoc, task: TaskId, backup: Backup): void {
  writable<Backup>(job.backups).set(task, backup)
}

/** One peer's outcome for one task, keyed by task and peer so that a quorum's reports coexist. */
export function putReport(job: JobDoc, task: TaskId, report: Report): void {
  writable<Report>(job.reports).set(reportKey(task, report.peer), report)
}

/** A failed attempt (timeout or lost lease), keyed by task and attempt so that its recorders meet. */
export function recordFailure(job: JobDoc, task: TaskId, failure: Failure): void {
  writable<Failure>(job.failures).set(failureKey(task, failure.attempt), failure)
}

/** The submitter's signed verdicts on an adaptive job's tasks, under a key of the submitter's choosing (one per flush). */
export function putVerdict(job: JobDoc, key: string, record: VerdictRecord): void {
  writable<VerdictRecord>(job.verdicts).set(key, record)
}
