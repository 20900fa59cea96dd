import type { Address, JobId, TaskKey } from '../ids.ts'
import type { Value } from '../encoding/supported-value.ts'
import type { Identity } from '../identity/identity.ts'
import {
  functionAddress,
  functionRecord,
  parseFunctionRecord,
  type KeywordArgs,
  type PureFunction,
  type PureFunctionSource,
} from '../pure/define-pure.ts'
import { taskKeyOf } from '../task-key.ts'
import { JobDoc } from './job-doc.ts'
import { INLINE_VALUE_LIMIT, MAX_TASK_AFFINITY, MAX_TASK_PRIORITY, type JobSpec, type TaskRecord } from './schema.ts'
import { inlineArgsField } from './task-args.ts'
import { taskLinksIn } from './task-link.ts'
import { MAX_TASK_DEPS } from './schema.ts'
import type { SwarmDoc } from './swarm-doc.ts'
import type { ValueStore } from './value-store.ts'
import { AddressError } from '../errors.ts'
import { encodeAndAddress } from '../address.ts'
import { addTaskPacks, publishJob } from './writes.ts'
import { packTasks, taskPackBytes } from './task-packs.ts'
import { isValidJobSpec, jobSpecProblems, vouchForTask } from './records.ts'

export interface JobOptions {
  /** Distinct subjects whose agreeing reports accept a result: 1 by default, 2 with adaptive replication. */
  readonly quorum?: number
  /**
   * Adaptive replication (BOINC's): the submitter accepts a result alone from
   * a subject it trusts, outright or after enough results that agreed with
   * others' (spot-checking those), and has everyone else's run again until
   * `quorum` subjects agree (`peer/referee.ts`). `false`: every result needs
   * `quorum`. `connect()` turns it on in public rooms.
   */
  readonly adaptive?: boolean
  readonly maxAttempts?: number
  readonly maxLostLeases?: number
  readonly leaseMs?: number
  readonly timeoutMs?: number
  /**
   * When two results agree, for results that may differ in the last bits
   * (floating point across engines): `(a, b) => Math.abs(a - b) < 1e-9`.
   * The submitter judges it on the values (`peer/referee.ts`), so it matters
   * with `quorum` ≥ 2 or adaptive replication; exact agreement still counts
   * everywhere. It never travels: only this host calls it.
   */
  readonly compare?: (a: Value, b: Value) => boolean
}

export const JOB_DEFAULTS = {
  quorum: 1,
  maxAttempts: 3,
  maxLostLeases: 8,
  leaseMs: 10_000,
  timeoutMs: 60_000,
} as const satisfies Required<Omit<JobOptions, 'adaptive' | 'compare'>>

/** The quorum an adaptive job needs from subjects its submitter does not yet trust. */
export const ADAPTIVE_QUORUM = 2

export interface SubmitJobInput {
  readonly id: JobId
  readonly fn: PureFunction<never, unknown> | PureFunctionSource
  readonly argsList: readonly KeywordArgs[]
  /**
   * The arguments' bytes, addresses and task keys (`taskKeyOf(fn.address, address)`, which the caller vouches for), when it computed them already, in `argsList`'s order;
   * with each task's priority when the caller ranked a graph (`criticalPaths`), capped at `MAX_TASK_PRIORITY`,
   * and its placement group (`TaskRecord.affinity`) when it chose one.
   */
  readonly encoded?: ReadonlyArray<{ readonly bytes: Uint8Array; readonly address: Address; readonly key: TaskKey; readonly priority?: number; readonly affinity?: number }>
  /** The submitter: its id goes into the spec, and its key signs the job entry (only it can finish or cancel the job). */
  readonly identity: Identity
  readonly now: number
  readonly options?: JobOptions
  /** The document to write the tasks into; a new one by default. */
  readonly job?: JobDoc
}

/** The most one submission transaction carries, well under a data channel message. */
export const MAX_TRANSACTION_BYTES = 32 * 1024
/** Yjs stores each map entry with its key, its field names and bookkeeping: allow this much on top. */
const ENTRY_OVERHEAD_BYTES = 128

function* chunksOf<T>(items: readonly T[], sizeOf: (item: T) => number): Generator<T[]> {
  let chunk: T[] = []
  let bytes = 0
  for (const item of items) {
    const size = sizeOf(item)
    if (chunk.length > 0 && bytes + size > MAX_TRANSACTION_BYTES) {
      yield chunk
      chunk = []
      bytes = 0
    }
    chunk.push(item)
    bytes += size
  }
  if (chunk.length > 0) yield chunk
}

/**
 * Publishes a job: the function's source goes into the value store, the job
 * into the swarm document, and its tasks, with their small arguments, into a
 * job document of its own; arguments too large to inline are blobs. Returns that document, for the caller to replicate.
 */
export async function submitJob(swarm: SwarmDoc, values: ValueStore, input: SubmitJobInput): Promise<{ spec: JobSpec; job: JobDoc }> {
  const options = { ...JOB_DEFAULTS, ...input.options }
  const adaptive = input.options?.adaptive === true
  const quorum = input.options?.quorum ?? (adaptive ? ADAPTIVE_QUORUM : JOB_DEFAULTS.quorum)
  if (adaptive && quorum < 2) throw new RangeError(`job of "${input.fn.name}": adaptive replication checks results against a quorum of at least 2 subjects, not ${quorum}; turn it off (adaptive: false) for quorum 1`)
  const spec: JobSpec = {
    id: input.id,
    fn: input.fn.address,
    name: input.fn.name,
    taskCount: input.argsList.length,
    quorum,
    ...(adaptive ? { replication: 'adaptive' as const } : input.options?.compare !== undefined ? { replication: 'judged' as const } : {}),
    maxAttempts: options.maxAttempts,
    maxLostLeases: options.maxLostLeases,
    leaseMs: options.leaseMs,
    timeoutMs: options.timeoutMs,
    submittedBy: input.identity.peer,
    createdAt: input.now,
  }
  // Every reader ignores a job entry that fails its check (swarm/records.ts): say so here, not by silence there.
  if (!isValidJobSpec(spec)) throw new RangeError(`job ${JSON.stringify(input.id)} of "${input.fn.name}" has options or ids outside what peers accept: ${jobSpecProblems(spec)}`)
  const fnAddress = await values.put(functionRecord(input.fn.name, input.fn.source))
  if (fnAddress !== functionAddress(input.fn.name, input.fn.source) || fnAddress !== input.fn.address) {
    throw new AddressError(`function "${input.fn.name}" does not hash to its address ${input.fn.address}`)
  }
  const encoded = input.encoded ?? input.argsList.map((args, i) => encodeAndAddress(args, `args[${i}]`))
  // Small arguments ride in their task records, in the job's document: only peers that open the job hold
  // them. Large ones are blobs, listed in the swarm document as before.
  const inlineLimit = Math.min(values.inlineLimit, INLINE_VALUE_LIMIT)
  const large = encoded.filter(({ bytes }) => bytes.byteLength > inlineLimit)
  for (const { address, bytes } of large) await values.prepare(address, bytes)
  // Bounded transactions keep every Yjs update small, however long the job.
  for (const chunk of chunksOf(large, (e) => e.address.length + ENTRY_OVERHEAD_BYTES)) {
    swarm.transact(() => chunk.forEach(({ address, bytes }) => values.record(address, bytes)))
  }
  const job = input.job ?? new JobDoc(input.id)
  const tasks = encoded.map(({ address, bytes }, index): TaskRecord => {
    const deps = taskLinksIn(input.argsList[index])
    if (deps.length > MAX_TASK_DEPS) throw new RangeError(`args[${index}] of "${input.fn.name}" depend on ${deps.length} other calls, over the ${MAX_TASK_DEPS} a task may name`)
    const given = input.encoded?.[index]?.key
    const priority = taskPriority(input.encoded?.[index]?.priority)
    const affinity = input.encoded?.[index]?.affinity
    if (affinity !== undefined && !(Number.isInteger(affinity) && affinity >= 0 && affinity <= MAX_TASK_AFFINITY)) throw new RangeError(`args[${index}] of "${input.fn.name}": affinity ${affinity} is not a whole number from 0 to ${MAX_TASK_AFFINITY}`)
    const task = { index, key: given ?? taskKeyOf(fnAddress, address), args: address, ...(deps.length === 0 ? {} : { deps }), ...(priority === 0 ? {} : { priority }), ...(affinity === undefined ? {} : { affinity }) }
    const record = bytes.byteLength > inlineLimit ? task : { ...task, inlineArgs: inlineArgsField(bytes) }
    vouchForTask(record, fnAddress)
    return record
  })
  // Tasks go in packs of consecutive tasks (`task-packs.ts`): each reader derives the keys and addresses.
  for (const chunk of chunksOf(packTasks(tasks, fnAddress), ([, pack]) => taskPackBytes(pack))) {
    job.transact(() => addTaskPacks(job, chunk))
  }
  publishJob(swarm, spec, input.identity)
  return { spec, job }
}

/** A priority as records carry it: a whole number within what readers accept; 0 (left out) otherwise. */
function taskPriority(priority: number | undefined): number {
  if (priority === undefined || !Number.isFinite(priority) || priority < 1) return 0
  return Math.min(Math.floor(priority), MAX_TASK_PRIORITY)
}

/** Reads a function's source back out of the store, checking it against its address. */
export async function loadFunction(values: ValueStore, address: JobSpec['fn']): Promise<PureFunctionSource> {
  const record = parseFunctionRecord(await values.get(address))
  if (record === undefined) throw new AddressError(`${address} does not name a pure function`)
  return { ...record, address }
}
