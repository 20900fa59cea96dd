import * as Y from 'yjs'
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
import { makePack, PACK_PREFIX } from './cache-packs.ts'
import type { ReportPack } from './report-packs.ts'
import type { SubjectOf } from './cache-strength.ts'
import { mergeCached } from './cache-merge.ts'
import { shardKey, type Shards } from './cache-shards.ts'
import type { Compaction } from './compaction-record.ts'
import type { ClaimPack } from './claim-packs.ts'
import type { TaskPack } from './task-packs.ts'

export { mergeCached }

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

/** Lists a job as open, signed by its submitter; its tasks are already in its own document. */
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
 * `JobOwnerError` when this room's peers would not believe it (see
 * `checkJobEntry`): written, such an entry would only hide the job. Returns
 * false when it was not open.
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

/** Withdraws `peer`'s word that it holds `address` (a host evicted it), so fetchers ask others first. */
export function removeHolder(swarm: SwarmDoc, address: Address, peer: PeerId): void {
  const key = holderKey(address, peer)
  if (swarm.holders.has(key)) writable<BlobHolder>(swarm.holders).delete(key)
}

/**
 * Caches an outcome with its signers' proofs under its task key, by
 * `mergeCached`, weighing signers by `subjectOf` (the caller's `Subjects`).
 * Returns whether it wrote.
 */
export function cacheOutcome(swarm: SwarmDoc, key: TaskKey, entry: CacheEntry, subjectOf: SubjectOf): boolean {
  const merged = mergeCached(swarm.cached(key), entry, subjectOf)
  if (merged === undefined) return false
  ownShard(swarm, swarm.cacheShards).set(key, merged)
  swarm.cacheShards.noteWrite(key)
  return true
}

/** `cacheOutcome` for several: values new to the cache go into one pack (`cache-packs.ts`), the rest by key. Returns how many it wrote. */
export function cacheOutcomes(
  swarm: SwarmDoc,
  items: ReadonlyArray<{ readonly key: TaskKey; readonly entry: CacheEntry }>,
  subjectOf: SubjectOf,
  /** The pack's name in this writer's shard: distinct per call. */
  name: string,
): number {
  const packed: Array<{ key: TaskKey; entry: Extract<CacheEntry, { kind: 'value' }> }> = []
  const single: Array<{ key: TaskKey; entry: CacheEntry }> = []
  const seen = new Set<TaskKey>()
  for (const { key, entry } of items) {
    // Only a key's first value, new to the cache, is packed; the rest meet the merge rule one by one.
    const first = !seen.has(key) && seen.add(key) !== undefined
    const merged = first && swarm.cached(key) === undefined ? mergeCached(undefined, entry, subjectOf) : undefined
    if (merged?.kind === 'value') packed.push({ key, entry: merged })
    else single.push({ key, entry })
  }
  const pack = packed.length > 1 ? makePack(packed) : undefined
  if (pack === undefined) single.push(...packed)
  let written = 0
  swarm.transact(() => {
    if (pack !== undefined) {
      const key = `${PACK_PREFIX}${name}`
      ownShard(swarm, swarm.cacheShards).set(key, pack)
      swarm.cacheShards.noteWrite(key)
      written += pack.keys.length
    }
    for (const { key, entry } of single) if (cacheOutcome(swarm, key, entry, subjectOf)) written++
  })
  return written
}

/** Removes a cached failure, so the call can be tried again; values are never forgotten. */
export function forgetFailure(swarm: SwarmDoc, key: TaskKey): boolean {
  if (swarm.cached(key)?.kind !== 'failure') return false
  swarm.transact(() => {
    for (const [, shard] of swarm.cacheShards.shards()) if (shard.has(key)) writable<CacheEntry>(shard).delete(key)
    swarm.cacheShards.noteWrite(key)
  })
  return true
}

/**
 * This writer's shard of the live epoch, made on first use: only this Yjs
 * client ever creates a map under its key, so no concurrent creation can
 * discard its writes (`cache-shards.ts`).
 */
function ownShard<T>(swarm: SwarmDoc, shards: Shards, epoch = swarm.liveEpoch()): Y.Map<T> {
  const key = shardKey(epoch, swarm.doc.clientID)
  const existing = shards.root.get(key)
  if (existing instanceof Y.Map) return existing as Y.Map<T>
  const shard = new Y.Map<T>()
  writable<Y.Map<T>>(shards.root).set(key, shard)
  shards.invalidate()
  return shard
}

/**
 * Lists a result's value: a small one in this writer's result shard, so it
 * leaves the document with its cache entry (into the tree's leaf); a large
 * one, a blob, in the value index like any other (its holders are listed there too).
 */
export function recordResultValue(swarm: SwarmDoc, address: Address, bytes: Uint8Array, inlineLimit: number): void {
  if (bytes.byteLength > inlineLimit) return recordValue(swarm, address, bytes, inlineLimit)
  if (swarm.value(address)?.inline !== undefined) return
  ownShard<StoredValueRecord>(swarm, swarm.resultShards).set(address, bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes))
  swarm.resultShards.noteWrite(address)
}

export type { Compaction }

/**
 * Publishes a compaction in one update: the new root, the roots and shards it
 * replaces gone, writers moved to the next epoch. Concurrent compactions that
 * saw the same document publish the same root; others leave two roots, which
 * readers both consult and the next compaction merges.
 */
export function publishCompaction(swarm: SwarmDoc, c: Compaction): void {
  swarm.transact(() => {
    const own = shardKey(c.nextEpoch, swarm.doc.clientID)
    for (const old of c.replaces) if (old !== own) writable<unknown>(swarm.cacheRoots).delete(old)
    if (c.root !== undefined) writable<unknown>(swarm.cacheRoots).set(own, { root: c.root, count: c.count, at: c.at, by: c.by })
    for (const key of c.compacted) {
      if (swarm.cacheShards.root.has(key)) writable<unknown>(swarm.cacheShards.root).delete(key)
      if (swarm.resultShards.root.has(key)) writable<unknown>(swarm.resultShards.root).delete(key)
    }
    // One key per epoch, the live one the highest: concurrent writes of one key could let a lower epoch win.
    if (c.nextEpoch > swarm.liveEpoch()) writable<boolean>(swarm.cacheEpoch).set(String(c.nextEpoch), true)
    const entries = c.carried.length === 0 ? undefined : ownShard<CacheEntry>(swarm, swarm.cacheShards, c.nextEpoch)
    for (const [key, entry] of c.carried) entries!.set(key, entry)
    const values = c.carriedValues.length === 0 ? undefined : ownShard<StoredValueRecord>(swarm, swarm.resultShards, c.nextEpoch)
    for (const [address, bytes] of c.carriedValues) values!.set(address, bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes))
    swarm.cacheShards.invalidate()
    swarm.resultShards.invalidate()
  })
}

// ---- A job's document ---------------------------------------------------

export function addTasks(job: JobDoc, tasks: readonly TaskRecord[]): void {
  const map = writable<TaskRecord>(job.tasks)
  for (const task of tasks) map.set(String(task.index), task)
}

/** A job's tasks as packs of consecutive tasks (`task-packs.ts`), under their pack keys. */
export function addTaskPacks(job: JobDoc, packs: ReadonlyArray<readonly [string, TaskPack]>): void {
  const map = writable<TaskPack>(job.tasks)
  for (const [key, pack] of packs) map.set(key, pack)
}

/**
 * Claims a task: the claim itself, or the key of the claimant's pack that
 * holds it (`claim-packs.ts`). Concurrent claims meet on the task's key and
 * one wins on every peer. A lapsed claim it replaces is recorded as a lost lease.
 */
export function claimTask(job: JobDoc, task: TaskId, claim: Claim | string, lapsed?: Failure): void {
  if (lapsed !== undefined) writable<Failure>(job.failures).set(failureKey(task, lapsed.attempt), lapsed)
  writable<Claim | string>(job.claims).set(task, claim)
}

/** Extends the claimant's own lease; the claim must be the caller's. */
export function renewClaim(job: JobDoc, task: TaskId, claim: Claim | string): void {
  writable<Claim | string>(job.claims).set(task, claim)
}

/** A claimant's pack of claims under its own `#` key: renewing its tasks' leases rewrites this record alone. */
export function putClaimPack(job: JobDoc, key: string, pack: ClaimPack): void {
  writable<ClaimPack>(job.claims).set(key, pack)
}

/** A second runner for a straggler; at most one per task, the last writer wins. */
export function startBackup(job: JobDoc, task: TaskId, backup: Backup): void {
  writable<Backup>(job.backups).set(task, backup)
}

/** One peer's outcome for one task, keyed by task and peer so that a quorum's reports coexist. */
export function putReport(job: JobDoc, task: TaskId, report: Report): void {
  writable<Report>(job.reports).set(reportKey(task, report.peer), report)
}

/** A flush's reports to one job as one record (`report-packs.ts`), under its writer's key. */
export function putReportPack(job: JobDoc, key: string, pack: ReportPack): void {
  writable<ReportPack>(job.reports).set(key, pack)
}

/** A failed attempt (timeout or lost lease), keyed by task and attempt so that its recorders meet. */
export function recordFailure(job: JobDoc, task: TaskId, failure: Failure): void {
  writable<Failure>(job.failures).set(failureKey(task, failure.attempt), failure)
}

/** The submitter's signed verdicts on an adaptive job's tasks, one record per flush, under a key it chooses. */
export function putVerdict(job: JobDoc, key: string, record: VerdictRecord): void {
  writable<VerdictRecord>(job.verdicts).set(key, record)
}
