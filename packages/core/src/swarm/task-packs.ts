import * as v from 'valibot'
import { fromBase64 } from 'lib0/buffer'
import { addressOfBytes } from '../address.ts'
import type { Address, TaskKey } from '../ids.ts'
import { taskKeyOf } from '../task-key.ts'
import { BASE64_PATTERN, checker, intSchema, isRecordAddress, isTaskId, MAX_INLINE_ARGS_LENGTH } from './records.ts'
import { INLINE_VALUE_LIMIT, MAX_TASK_AFFINITY, MAX_TASK_DEPS, MAX_TASK_PRIORITY, type JobSpec, type TaskId, type TaskRecord } from './schema.ts'
import { verifiedInlineArgs } from './verified-args.ts'

/**
 * A job's tasks as ranges: `TASK_PACK_SIZE` consecutive tasks in one record of
 * the job's `tasks` map, under `#n` for the tasks from `n × TASK_PACK_SIZE`.
 * A task record repeated its index, its task key and its arguments' address
 * (about 200 B and a map entry per task, every peer applying each one); a pack
 * lists the arguments alone, and every reader derives the rest: the
 * arguments' address from their bytes, the task key from the function and
 * that address. So a pack cannot name a key its arguments do not hash to,
 * and needs no other check than its shape.
 *
 * Readers see task records, never the pack (`JobIndex.task`), built here with
 * their inline bytes already checked against their address. A task record of
 * its own under the task's index (what older submitters wrote) is read before
 * the pack. The range is fixed by the key, so two packs never overlap, and a
 * pack must hold exactly the tasks of its range (fewer only for the job's
 * last): one that does not, or whose any field fails its check, yields nothing.
 */
export interface TaskPack {
  /** Per task in index order: its canonical argument bytes in base64, or for a task listed in `blobs`, the address of its arguments in the value store. */
  readonly args: readonly string[]
  /** Positions in `args` holding addresses (arguments over `INLINE_VALUE_LIMIT`), ascending; absent when none. */
  readonly blobs?: readonly number[]
  /** Per task, the task keys its arguments link to (empty for none); absent when no task has any. */
  readonly deps?: ReadonlyArray<readonly TaskKey[]>
  /** Per task, its priority (`TaskRecord.priority`, 0 for none); absent when every one is 0. */
  readonly priority?: readonly number[]
  /** Per task, its placement group (`TaskRecord.affinity`), −1 for none; absent when none has one. */
  readonly affinity?: readonly number[]
}

/** Tasks per pack: 16 inline arguments at the cap are about 22 KB of base64, within one submission transaction (`MAX_TRANSACTION_BYTES`). */
export const TASK_PACK_SIZE = 16
export const TASK_PACK_PREFIX = '#'

export const isTaskPackKey = (key: string): boolean => key.startsWith(TASK_PACK_PREFIX)
export const taskPackKey = (pack: number): string => `${TASK_PACK_PREFIX}${pack}`

/** The pack number in a pack key, or undefined for anything else (a decimal without leading zeros). */
function packNumber(key: string, taskCount: number): number | undefined {
  if (!isTaskPackKey(key)) return undefined
  const digits = key.slice(TASK_PACK_PREFIX.length)
  if (!isTaskId(digits, Math.ceil(taskCount / TASK_PACK_SIZE))) return undefined
  return Number(digits)
}

/** How many tasks pack `n` of a job of `taskCount` tasks holds. */
const rangeLength = (pack: number, taskCount: number): number => Math.min(TASK_PACK_SIZE, taskCount - pack * TASK_PACK_SIZE)

/** The task ids a pack key covers, whatever the record under it holds: what a change of that key can change. */
export function taskIdsOfPack(key: string, spec: JobSpec): TaskId[] {
  const pack = packNumber(key, spec.taskCount)
  if (pack === undefined) return []
  return Array.from({ length: rangeLength(pack, spec.taskCount) }, (_, i) => String(pack * TASK_PACK_SIZE + i))
}

/** The key of the pack that would hold task `id`. */
export function packKeyOfTask(id: TaskId): string {
  return taskPackKey(Math.floor(Number(id) / TASK_PACK_SIZE))
}

const list = <S extends v.GenericSchema>(item: S) => v.pipe(v.array(item), v.maxLength(TASK_PACK_SIZE))
const packSchema = v.object({
  args: v.pipe(v.array(v.pipe(v.string(), v.maxLength(MAX_INLINE_ARGS_LENGTH))), v.minLength(1), v.maxLength(TASK_PACK_SIZE)),
  blobs: v.optional(list(intSchema(0, TASK_PACK_SIZE - 1))),
  deps: v.optional(list(v.pipe(v.array(v.custom<TaskKey>(isRecordAddress, 'not a task key')), v.maxLength(MAX_TASK_DEPS)))),
  priority: v.optional(list(intSchema(0, MAX_TASK_PRIORITY))),
  affinity: v.optional(list(intSchema(-1, MAX_TASK_AFFINITY))),
})
const isPackShaped = checker<TaskPack>(packSchema)

/** A pack's records as derived for one function, `undefined` where the pack yields nothing. */
const expanded = new WeakMap<object, { readonly fn: Address; readonly records: readonly TaskRecord[] | undefined }>()

/**
 * The task records a pack under `key` holds for this job, in index order, or
 * undefined when the key is not a pack key of this job or the pack fails its
 * check. Derived once per pack object.
 */
export function taskPackRecords(key: string, raw: unknown, spec: JobSpec): readonly TaskRecord[] | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const known = expanded.get(raw)
  if (known !== undefined && known.fn === spec.fn) return known.records
  const pack = packNumber(key, spec.taskCount)
  const records = pack === undefined ? undefined : derive(pack, raw, spec)
  expanded.set(raw, { fn: spec.fn, records })
  return records
}

function derive(pack: number, raw: object, spec: JobSpec): readonly TaskRecord[] | undefined {
  if (!isPackShaped(raw)) return undefined
  const count = raw.args.length
  if (count !== rangeLength(pack, spec.taskCount)) return undefined
  if ([raw.deps, raw.priority, raw.affinity].some((field) => field !== undefined && field.length !== count)) return undefined
  const blobs = new Set(raw.blobs ?? [])
  if (blobs.size !== (raw.blobs?.length ?? 0) || [...blobs].some((at) => at >= count)) return undefined
  const records: TaskRecord[] = []
  for (let i = 0; i < count; i++) {
    const text = raw.args[i]!
    let args: Address
    let bytes: Uint8Array | undefined
    if (blobs.has(i)) {
      if (!isRecordAddress(text)) return undefined
      args = text
    } else {
      if (!BASE64_PATTERN.test(text)) return undefined
      bytes = fromBase64(text)
      if (bytes.byteLength > INLINE_VALUE_LIMIT) return undefined
      args = addressOfBytes(bytes)
    }
    const deps = raw.deps?.[i] ?? []
    if (new Set(deps).size !== deps.length) return undefined
    const priority = raw.priority?.[i] ?? 0
    const affinity = raw.affinity?.[i] ?? -1
    const record: TaskRecord = Object.freeze({
      index: pack * TASK_PACK_SIZE + i,
      key: taskKeyOf(spec.fn, args),
      args,
      ...(bytes === undefined ? {} : { inlineArgs: text }),
      ...(deps.length === 0 ? {} : { deps }),
      ...(priority === 0 ? {} : { priority }),
      ...(affinity === -1 ? {} : { affinity }),
    })
    if (bytes !== undefined) verifiedInlineArgs.set(record, bytes)
    records.push(record)
  }
  return Object.freeze(records)
}

/**
 * Task records as packs, for a submitter that built and checked them: each
 * pack's records are remembered, so reading them back (Yjs hands back the
 * object written) derives nothing. `records` must be every task of the job, in
 * index order.
 */
export function packTasks(records: readonly TaskRecord[], fn: Address): Array<readonly [string, TaskPack]> {
  const packs: Array<readonly [string, TaskPack]> = []
  for (let first = 0; first < records.length; first += TASK_PACK_SIZE) {
    const slice = records.slice(first, first + TASK_PACK_SIZE)
    const blobs = slice.flatMap((task, i) => (task.inlineArgs === undefined ? [i] : []))
    const pack: TaskPack = {
      args: slice.map((task) => task.inlineArgs ?? task.args),
      ...(blobs.length === 0 ? {} : { blobs }),
      ...(slice.some((task) => task.deps !== undefined) ? { deps: slice.map((task) => task.deps ?? []) } : {}),
      ...(slice.some((task) => task.priority !== undefined) ? { priority: slice.map((task) => task.priority ?? 0) } : {}),
      ...(slice.some((task) => task.affinity !== undefined) ? { affinity: slice.map((task) => task.affinity ?? -1) } : {}),
    }
    expanded.set(pack, { fn, records: Object.freeze([...slice]) })
    packs.push([taskPackKey(first / TASK_PACK_SIZE), pack])
  }
  return packs
}

/** The number of tasks a `tasks` map entry holds, unchecked: for a count of what has arrived. */
export function tasksInEntry(key: string, raw: unknown): number {
  if (!isTaskPackKey(key)) return 1
  const args = typeof raw === 'object' && raw !== null ? (raw as { args?: unknown }).args : undefined
  return Array.isArray(args) ? Math.min(args.length, TASK_PACK_SIZE) : 0
}

/** What a pack adds to an update, near enough to bound a transaction. */
export function taskPackBytes(pack: TaskPack): number {
  let bytes = 64 + (pack.blobs?.length ?? 0) * 2 + (pack.priority?.length ?? 0) * 3 + (pack.affinity?.length ?? 0) * 3
  for (const text of pack.args) bytes += text.length + 2
  for (const deps of pack.deps ?? []) for (const key of deps) bytes += key.length + 2
  return bytes
}
