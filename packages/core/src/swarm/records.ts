import { ADDRESS_SPELLING } from '../address.ts'
import * as v from 'valibot'
import type { ErrorRecord } from '../errors.ts'
import type { Address, PeerId, TaskKey } from '../ids.ts'
import { SIGNATURE_TEXT_LENGTH } from '../identity/signatures.ts'
import { taskKeyOf } from '../task-key.ts'
import { isAdminCancellation, type AdminTrust } from './admin-cancellation.ts'
import { isSignedBySubmitter } from './job-signature.ts'
import { MAX_PATH_LENGTH, MAX_SIGNED_BATCH, verifyOutcome } from './outcome-proofs.ts'
import { taskLogsSchema } from './task-logs-schema.ts'
import { INLINE_VALUE_LIMIT, MAX_TASK_AFFINITY, MAX_TASK_DEPS, MAX_TASK_PRIORITY, outcomeOfEntry, type Backup, type BlobHolder, type CacheEntry, type JobEntry, type JobSpec, type Report, type StoredValueRecord, type TaskRecord } from './schema.ts'

/**
 * What a record read from a shared document must look like before use. Any
 * peer can write any entry, so every reader checks (via `SwarmDoc`, `JobDoc`,
 * `JobIndex`); an entry that fails is absent. Caps bound what it costs.
 */

/** Ids of jobs and peers, ours a few dozen characters: a job id names a file on Node hosts, so short and plain. */
export const MAX_ID_LENGTH = 64
const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/
/** A pure function's name. */
export const MAX_NAME_LENGTH = 1024
/** Error records: a donor cuts what it writes to these (`capErrorRecord`); longer ones are ignored. */
export const MAX_ERROR_NAME_LENGTH = 256
export const MAX_ERROR_MESSAGE_LENGTH = 8 * 1024
export const MAX_ERROR_STACK_LENGTH = 16 * 1024
/** Tasks in one job. Admission (`peer/admission.ts`) usually allows far fewer. */
export const MAX_TASK_COUNT = 10_000_000
export const MAX_QUORUM = 64
export const MAX_ATTEMPTS = 1_000_000
/** Timers cannot wait longer (setTimeout's 32-bit limit). */
export const MAX_TIMER_MS = 2 ** 31 - 1
/** Bytes of a value stored inside the swarm document (writers inline at most `INLINE_VALUE_LIMIT`). */
export const MAX_INLINE_BYTES = 64 * 1024
/** A task's inline arguments: `INLINE_VALUE_LIMIT` bytes in base64 (decoded size checked in `task-args.ts`). */
export const MAX_INLINE_ARGS_LENGTH = 4 * Math.ceil(INLINE_VALUE_LIMIT / 3)
export const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
/** A blob's size as the value index lists it. */
export const MAX_LISTED_BYTES = 2 ** 40
/** Fields of one record: ours have at most ten; a few more leave room for later ones. */
const MAX_FIELDS = 16
// Addresses are checked by their exact spelling (`ADDRESS_SPELLING`): parsing a CID costs about
// 10 µs, and a job of 100,000 tasks has 200,000 addresses to check.

const text = (max: number) => v.pipe(v.string(), v.maxLength(max))
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_LENGTH), v.regex(ID_PATTERN))
const address = v.custom<Address>((input) => typeof input === 'string' && ADDRESS_SPELLING.test(input), 'not an address')

/** Whether `input` is an address as records may carry it (`isAddress`, our two codecs only). */
export function isRecordAddress(input: unknown): input is Address {
  return typeof input === 'string' && ADDRESS_SPELLING.test(input)
}
const time = v.pipe(v.number(), v.finite())
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max))
const duration = v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_TIMER_MS))

/** A plain record with a bounded number of fields; unknown fields (from later versions) are ignored. */
export function record<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.object(entries),
    v.check((input) => Object.keys(input).length <= MAX_FIELDS, 'too many fields'),
  )
}

const errorRecord = record({
  name: text(MAX_ERROR_NAME_LENGTH),
  message: text(MAX_ERROR_MESSAGE_LENGTH),
  stack: v.optional(text(MAX_ERROR_STACK_LENGTH)),
})
/** The field schemas other record checks build on (`signed-claims.ts`). */
export { id as idSchema, time as timeSchema, int as intSchema, errorRecord as errorRecordSchema }

export const jobEntrySchema = record({
  id,
  fn: address,
  name: text(MAX_NAME_LENGTH),
  taskCount: int(0, MAX_TASK_COUNT),
  quorum: int(1, MAX_QUORUM),
  maxAttempts: int(1, MAX_ATTEMPTS),
  maxLostLeases: int(0, MAX_ATTEMPTS),
  leaseMs: duration,
  timeoutMs: duration,
  submittedBy: id,
  createdAt: time,
  replication: v.optional(v.picklist(['adaptive', 'judged'])),
  state: v.picklist(['open', 'done', 'cancelled']),
  sig: v.pipe(v.string(), v.length(SIGNATURE_TEXT_LENGTH), v.regex(/^[A-Za-z0-9_-]*$/)),
  // A room admin's cancellation: its certificate is checked with the signatures (`admin-cancellation.ts`).
  cancelledBy: v.optional(record({ certificate: v.unknown(), sig: v.pipe(v.string(), v.length(SIGNATURE_TEXT_LENGTH)) })),
})

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/
const proofFields = {
  leaf: int(0, MAX_SIGNED_BATCH - 1),
  size: int(1, MAX_SIGNED_BATCH),
  path: v.pipe(v.string(), v.maxLength(MAX_PATH_LENGTH), v.regex(BASE64URL_PATTERN)),
  sig: v.pipe(v.string(), v.length(SIGNATURE_TEXT_LENGTH), v.regex(BASE64URL_PATTERN)),
}
export const proofSchema = record(proofFields)
const signedOutcomeSchema = record({ peer: id, ...proofFields })
const proofList = v.pipe(v.array(signedOutcomeSchema), v.minLength(1), v.maxLength(MAX_QUORUM))

const cacheEntrySchema = v.variant('kind', [
  record({ kind: v.literal('value'), result: address, proofs: proofList }),
  record({ kind: v.literal('failure'), error: errorRecord, proofs: proofList }),
])

const inlineBytes = v.pipe(
  v.instance(Uint8Array),
  v.check((bytes) => bytes.byteLength <= MAX_INLINE_BYTES, 'inline value too large'),
)
const storedValueSchema = v.union([
  inlineBytes,
  record({ size: int(0, MAX_LISTED_BYTES), inline: v.optional(inlineBytes) }),
])

const holderSchema = record({ at: time })

const taskSchema = record({
  index: int(0, MAX_TASK_COUNT - 1),
  key: address,
  args: address,
  inlineArgs: v.optional(v.pipe(v.string(), v.maxLength(MAX_INLINE_ARGS_LENGTH), v.regex(BASE64_PATTERN))),
  deps: v.optional(v.pipe(v.array(address), v.minLength(1), v.maxLength(MAX_TASK_DEPS))),
  priority: v.optional(int(0, MAX_TASK_PRIORITY)),
  affinity: v.optional(int(0, MAX_TASK_AFFINITY)),
})

const backupSchema = record({ peer: id, startedAt: time })

export const outcomeSchema = v.variant('kind', [
  record({ kind: v.literal('value'), result: address }),
  record({ kind: v.literal('thrown'), error: errorRecord }),
])

const reportSchema = record({
  peer: id,
  // A backup run of a task nobody holds a claim on reports attempt 0.
  attempt: int(0, MAX_ATTEMPTS),
  outcome: outcomeSchema,
  proof: proofSchema,
  durationMs: v.pipe(v.number(), v.finite(), v.minValue(0)),
  fetchMs: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
  at: time,
  logs: v.optional(taskLogsSchema),
})

/** A check by one schema, remembered per object (Yjs hands back the same object on every read of an entry). */
export function checker<T>(schema: v.GenericSchema): (input: unknown) => input is T {
  const verdicts = new WeakMap<object, boolean>()
  return (input: unknown): input is T => {
    if (typeof input !== 'object' || input === null) return false
    let verdict = verdicts.get(input)
    if (verdict === undefined) {
      verdict = v.is(schema, input)
      verdicts.set(input, verdict)
    }
    return verdict
  }
}

const isJobEntry = checker<JobEntry>(jobEntrySchema)
const isCacheEntry = checker<CacheEntry>(cacheEntrySchema)
const isStoredValue = checker<StoredValueRecord>(storedValueSchema)
const isHolder = checker<BlobHolder>(holderSchema)
const isTask = checker<TaskRecord>(taskSchema)
const isBackup = checker<Backup>(backupSchema)
const isReport = checker<Report>(reportSchema)

/** A task id as keys carry it: the decimal form of an index below the job's task count. */
export function isTaskId(key: string, taskCount: number): boolean {
  // Read on every scheduling step for every task: a digit loop, not a regular expression.
  const length = key.length
  if (length === 0 || length > 8 || (length > 1 && key.charCodeAt(0) === 48)) return false
  let index = 0
  for (let i = 0; i < length; i++) {
    const digit = key.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return false
    index = index * 10 + digit
  }
  return index < taskCount
}

/**
 * The swarm document's `jobs` entry under `key`, if it is one, names itself by
 * that key, and is signed by its submitter, or cancelled by an admin that
 * `admins` trusts (`admin-cancellation.ts`; without `admins`, by none).
 */
export function checkJobEntry(key: string, input: unknown, admins?: AdminTrust): JobEntry | undefined {
  if (!isJobEntry(input) || input.id !== key) return undefined
  if (input.cancelledBy !== undefined) return isAdminCancellation(input, admins) ? input : undefined
  let signed = signedJobs.get(input)
  if (signed === undefined) signedJobs.set(input, (signed = isSignedBySubmitter(input)))
  return signed ? input : undefined
}
const signedJobs = new WeakMap<object, boolean>()

/**
 * The cache entry under `key`, if it is well-formed and every proof in it is
 * a valid signature of its outcome by a distinct peer. Honest writers copy
 * only proofs they checked, so one bad proof condemns the entry.
 */
export function checkCacheEntry(key: TaskKey, input: unknown): CacheEntry | undefined {
  // Written whole, never edited: a verdict on this object stands.
  const known = typeof input === 'object' && input !== null ? provenEntries.get(input) : undefined
  if (known !== undefined && known.key === key) return known.verdict ? (input as CacheEntry) : undefined
  if (!isCacheEntry(input)) return undefined
  const outcome = outcomeOfEntry(input)
  const peers = new Set<string>()
  const verdict = input.proofs.every((proof) => !peers.has(proof.peer) && peers.add(proof.peer) !== undefined && verifyOutcome(proof.peer, key, outcome, proof))
  provenEntries.set(input, { key, verdict })
  return verdict ? input : undefined
}
const provenEntries = new WeakMap<object, { key: TaskKey; verdict: boolean }>()

/** An entry built here from records checked (a cache pack's multiproof): not checked again. */
export function vouchForCacheEntry(key: TaskKey, entry: CacheEntry): void {
  provenEntries.set(entry, { key, verdict: true })
}

export function checkStoredValue(input: unknown): StoredValueRecord | undefined {
  if (input instanceof Uint8Array) return input.byteLength <= MAX_INLINE_BYTES ? input : undefined
  return isStoredValue(input) ? input : undefined
}

/**
 * A cache tree root as the document lists it: the root, its entry count, when and by whom (where its nodes
 * are, likely). Under `<epoch>/<writer>`, a short key: Yjs keeps a deleted key's name for good.
 */
export interface CacheRoot {
  readonly root: Address
  readonly count: number
  readonly at: number
  readonly by: PeerId
}
const isCacheRoot = checker<CacheRoot>(record({ root: address, count: int(1, Number.MAX_SAFE_INTEGER), at: time, by: id }))

/** The root record under `key`, if well-formed; it proves nothing about the tree. */
export function checkCacheRoot(input: unknown): CacheRoot | undefined {
  return isCacheRoot(input) ? input : undefined
}

export function checkHolder(input: unknown): BlobHolder | undefined {
  return isHolder(input) ? input : undefined
}

/**
 * A job document's task under `key`: its index is the key, below the task count, and its task key the hash of
 * the job's function and its arguments (else honest donors would file its results under another call's key).
 */
export function checkTask(key: string, input: unknown, spec: JobSpec): TaskRecord | undefined {
  if (!isTaskId(key, spec.taskCount) || typeof input !== 'object' || input === null) return undefined
  let bound = boundTasks.get(input)
  // Well-formed by construction when `submitJob` built it here (`vouchForTask`).
  if (bound?.built !== true && !isTask(input)) return undefined
  const task = input as TaskRecord
  if (String(task.index) !== key) return undefined
  if (bound === undefined || bound.fn !== spec.fn) {
    bound = { fn: spec.fn, verdict: taskKeyOf(spec.fn, task.args) === task.key }
    boundTasks.set(input, bound)
  }
  return bound.verdict ? task : undefined
}
const boundTasks = new WeakMap<object, { fn: Address; verdict: boolean; built?: true }>()

/** A record `submitJob` built here, key hashed: not checked again when read back. */
export function vouchForTask(record: TaskRecord, fn: Address): void {
  boundTasks.set(record, { fn, verdict: true, built: true })
}

export function checkBackup(key: string, input: unknown, spec: JobSpec): Backup | undefined {
  return isTaskId(key, spec.taskCount) && isBackup(input) ? input : undefined
}

/**
 * A report keyed `task/peer` on the call `key`: the peer in the key must be
 * the reporter, and its proof that peer's signature of this outcome for this
 * call.
 */
export function checkReport(task: string, peer: string, input: unknown, spec: JobSpec, key: TaskKey): Report | undefined {
  if (!isTaskId(task, spec.taskCount) || !isReport(input) || input.peer !== peer) return undefined
  let proven = provenReports.get(input)
  if (proven === undefined || proven.key !== key) {
    proven = { key, verdict: verifyOutcome(peer, key, input.outcome, input.proof) }
    provenReports.set(input, proven)
  }
  return proven.verdict ? input : undefined
}
const provenReports = new WeakMap<object, { key: TaskKey; verdict: boolean }>()

/** What of a report can be read before its task is known: well-formed, keyed by its own reporter. */
export function isReportShaped(task: string, peer: string, input: unknown, spec: JobSpec): boolean {
  return isTaskId(task, spec.taskCount) && isReport(input) && input.peer === peer
}

/** A placeholder of the right shape: submitters check a spec's fields before they sign it. */
const UNSIGNED = 'A'.repeat(SIGNATURE_TEXT_LENGTH)

/** Whether a job spec's fields pass every reader's check (the signature aside): submitters check before publishing. */
export function isValidJobSpec(spec: JobSpec): boolean {
  return isJobEntry({ ...spec, state: 'open', sig: UNSIGNED }) && spec.id.length > 0
}

/** What is wrong with a spec, for the submitter's error message. */
export function jobSpecProblems(spec: JobSpec): string {
  const result = v.safeParse(jobEntrySchema, { ...spec, state: 'open', sig: UNSIGNED })
  if (result.success) return 'none'
  return result.issues
    .slice(0, 4)
    .map((issue) => `${v.getDotPath(issue) ?? 'job'}: ${issue.message}`)
    .join('; ')
}

/** An error record cut to what readers accept, so an honest donor's long error still counts. */
export function capErrorRecord(error: ErrorRecord): ErrorRecord {
  const name = String(error.name).slice(0, MAX_ERROR_NAME_LENGTH)
  const message = String(error.message).slice(0, MAX_ERROR_MESSAGE_LENGTH)
  return error.stack === undefined ? { name, message } : { name, message, stack: String(error.stack).slice(0, MAX_ERROR_STACK_LENGTH) }
}
