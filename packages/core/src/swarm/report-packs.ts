import * as v from 'valibot'
import type { Address, PeerId, TaskKey } from '../ids.ts'
import type { ErrorRecord } from '../errors.ts'
import { HASH_BYTES } from '../identity/merkle.ts'
import { SIGNATURE_TEXT_LENGTH } from '../identity/signatures.ts'
import { MAX_SIGNED_BATCH, packedNodes, verifyPackedOutcomes } from './outcome-proofs.ts'
import { checker, errorRecordSchema, idSchema, intSchema, isRecordAddress, isTaskId, MAX_ATTEMPTS, record, timeSchema } from './records.ts'
import type { JobSpec, Outcome, Report, TaskId } from './schema.ts'
import { keysOfTasks } from './record-key.ts'

/**
 * A donor's reports to one job from one flush, as one record of the job's
 * `reports` map. Each report repeated the reporter's id, the batch signature
 * and an audit path of log2(batch) hashes: about 550 B, most of a task's
 * bytes in the job document. A pack lists the tasks, their outcomes and
 * bookkeeping once, and the signature once, with one multiproof for the
 * leaves it holds (`merkle-multiproof.ts`): none at all when it holds the
 * whole signed batch.
 *
 * Readers see reports, never the pack (`report-index.ts`): it is checked once,
 * against the keys of the tasks it names (it waits for those that are not
 * here yet), and each report comes out with its proof rebuilt, as a report of
 * its own would carry it, so quorum, the cache entries made from reports and
 * every check downstream are unchanged. A pack with a bad signature or node,
 * a task twice, a leaf twice or an outcome its signer did not sign yields
 * nothing. A report with logs stays a record of its own, keyed by task and
 * peer, as the log followers read them (`runtime/src/api/task-log.ts`).
 */
export interface ReportPack {
  readonly peer: PeerId
  readonly sig: string
  /** Leaves in the signed batch. */
  readonly size: number
  /** When the reports were written (one flush). */
  readonly at: number
  readonly tasks: readonly TaskId[]
  /** Per task, its statement's leaf in the signed batch. */
  readonly leaves: readonly number[]
  /** Per task, its outcome: the result's address, or the error it threw. */
  readonly outcomes: ReadonlyArray<Address | ErrorRecord>
  readonly attempts: readonly number[]
  readonly durations: readonly number[]
  /** Per task, how long its arguments took to arrive, or −1 when not said; absent when none is. */
  readonly fetches?: readonly number[]
  /** The multiproof's nodes, concatenated in base64url (`packedNodes`); empty for a whole batch. */
  readonly nodes: string
}

/** Report keys of packs start with this; task ids never do. */
export const REPORT_PACK_PREFIX = '#'
/** Reports per pack: write-back writes a flush's reports to a job in packs of at most this many. */
export const MAX_REPORT_PACK = 1024

export const isReportPackKey = (key: string): boolean => key.startsWith(REPORT_PACK_PREFIX)

const BASE64URL = /^[A-Za-z0-9_-]*$/
const list = <S extends v.GenericSchema>(item: S) => v.pipe(v.array(item), v.maxLength(MAX_REPORT_PACK))
const amount = v.pipe(v.number(), v.finite(), v.minValue(0))
const packSchema = v.pipe(
  record({
    peer: idSchema,
    sig: v.pipe(v.string(), v.length(SIGNATURE_TEXT_LENGTH), v.regex(BASE64URL)),
    size: intSchema(1, MAX_SIGNED_BATCH),
    at: timeSchema,
    tasks: v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(MAX_REPORT_PACK)),
    leaves: list(intSchema(0, MAX_SIGNED_BATCH - 1)),
    outcomes: list(v.union([v.custom<Address>(isRecordAddress, 'not an address'), errorRecordSchema])),
    // A backup run of a task nobody holds a claim on reports attempt 0.
    attempts: list(intSchema(0, MAX_ATTEMPTS)),
    durations: list(amount),
    fetches: v.optional(list(v.union([v.literal(-1), amount]))),
    // At most one node per report per level of a batch of MAX_SIGNED_BATCH (16 levels).
    nodes: v.pipe(v.string(), v.maxLength(Math.ceil((MAX_REPORT_PACK * 16 * HASH_BYTES * 4) / 3)), v.regex(BASE64URL)),
  }),
  v.check((pack) => {
    const n = pack.tasks.length
    return [pack.leaves, pack.outcomes, pack.attempts, pack.durations, pack.fetches ?? pack.tasks].every((field) => field.length === n)
  }, 'misaligned pack'),
)
const isPackShaped = checker<ReportPack>(packSchema)

/** The tasks a pack names, if it is shaped as one for this job (before any check of its signature). */
export function reportPackTasks(raw: unknown, spec: JobSpec): readonly TaskId[] {
  return isPackShaped(raw) && raw.tasks.every((task) => isTaskId(task, spec.taskCount)) ? raw.tasks : []
}

const outcomeOf = (stated: Address | ErrorRecord): Outcome =>
  typeof stated === 'string' ? { kind: 'value', result: stated } : { kind: 'thrown', error: stated }

const NOTHING: readonly Report[] = Object.freeze([])
/** Per pack object, the reports it proved and the task keys they were proven against. */
const expanded = new WeakMap<object, { readonly keys: readonly TaskKey[]; readonly reports: readonly Report[] }>()

/**
 * The reports a pack proves, in its tasks' order, given each task's key here;
 * none when any part of it fails. Checked once per pack object and keys. Never throws.
 */
export function reportPackReports(raw: unknown, spec: JobSpec, keyOf: (task: TaskId) => TaskKey | undefined): readonly Report[] {
  const tasks = reportPackTasks(raw, spec)
  if (tasks.length === 0) return NOTHING
  const pack = raw as ReportPack
  const keys = keysOfTasks(tasks, keyOf)
  if (keys === undefined) return NOTHING
  const known = expanded.get(pack)
  if (known !== undefined && known.keys.every((key, i) => key === keys[i])) return known.reports
  const reports = expand(pack, keys)
  expanded.set(pack, { keys, reports })
  return reports
}

function expand(pack: ReportPack, keys: readonly TaskKey[]): readonly Report[] {
  if (new Set(pack.tasks).size !== pack.tasks.length || new Set(pack.leaves).size !== pack.leaves.length) return NOTHING
  if (pack.leaves.some((leaf) => leaf >= pack.size)) return NOTHING
  const outcomes = pack.outcomes.map(outcomeOf)
  const leaves = pack.leaves.map((leaf, i) => ({ leaf, key: keys[i]!, outcome: outcomes[i]! }))
  const proofs = verifyPackedOutcomes(pack.peer, pack.sig, pack.size, leaves, pack.nodes)
  if (proofs === undefined) return NOTHING
  return Object.freeze(pack.tasks.map((_, i) => reportAt(pack, i, outcomes[i]!, proofs[i]!)))
}

function reportAt(pack: ReportPack, i: number, outcome: Outcome, proof: Report['proof']): Report {
  const fetchMs = pack.fetches?.[i]
  return {
    peer: pack.peer,
    attempt: pack.attempts[i]!,
    outcome,
    proof,
    durationMs: pack.durations[i]!,
    ...(fetchMs === undefined || fetchMs < 0 ? {} : { fetchMs }),
    at: pack.at,
  }
}

/**
 * A pack of one peer's reports to one job, all proven by one signed batch
 * (this process signed them: `signStatements`), in `tasks`' order; undefined
 * when they cannot be packed (none, too many, a task twice, two signatures, a
 * leaf twice, logs). It reads back, against `keys`, as exactly these reports
 * without a second check.
 */
export function makeReportPack(
  items: ReadonlyArray<{ readonly task: TaskId; readonly key: TaskKey; readonly report: Report }>,
): ReportPack | undefined {
  const first = items[0]?.report
  if (first === undefined || items.length > MAX_REPORT_PACK || new Set(items.map((item) => item.task)).size !== items.length) return undefined
  const reports = items.map((item) => item.report)
  if (reports.some((r) => r.peer !== first.peer || r.at !== first.at || r.logs !== undefined)) return undefined
  const nodes = packedNodes(reports.map((r) => r.proof))
  if (nodes === undefined || new Set(reports.map((r) => r.proof.leaf)).size !== reports.length) return undefined
  const fetches = reports.some((r) => r.fetchMs !== undefined) ? { fetches: reports.map((r) => r.fetchMs ?? -1) } : {}
  const pack: ReportPack = {
    peer: first.peer,
    sig: first.proof.sig,
    size: first.proof.size,
    at: first.at,
    tasks: items.map((item) => item.task),
    leaves: reports.map((r) => r.proof.leaf),
    outcomes: reports.map((r) => (r.outcome.kind === 'value' ? r.outcome.result : r.outcome.error)),
    attempts: reports.map((r) => r.attempt),
    durations: reports.map((r) => r.durationMs),
    ...fetches,
    nodes,
  }
  expanded.set(pack, { keys: items.map((item) => item.key), reports: Object.freeze(reports) })
  return pack
}
