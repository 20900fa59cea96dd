import { fromBase64, toBase64 } from 'lib0/buffer'
import { verifyBytes } from '../address.ts'
import { decodeCanonical } from '../encoding/canonical.ts'
import type { Value } from '../encoding/supported-value.ts'
import { MalformedRecordError } from '../errors.ts'
import { INLINE_VALUE_LIMIT, type TaskRecord } from './schema.ts'
import { taskLinksIn, type TaskResolver } from './task-link.ts'
import { verifiedInlineArgs } from './verified-args.ts'
import { resolveValueRefs } from './value-ref.ts'
import type { ValueStore } from './value-store.ts'

/**
 * A task's small arguments travel in its record, in the job's own document
 * (`TaskRecord.inlineArgs`), so a job costs the swarm document nothing per
 * task and a peer that never opens the job holds none of them.
 */

/** The record field for arguments of at most `INLINE_VALUE_LIMIT` bytes. */
export function inlineArgsField(bytes: Uint8Array): string {
  if (bytes.byteLength > INLINE_VALUE_LIMIT) throw new RangeError(`inline arguments are at most ${INLINE_VALUE_LIMIT} bytes, not ${bytes.byteLength}`)
  return toBase64(bytes)
}

const verified = verifiedInlineArgs

/**
 * The task's inline argument bytes, checked against its `args` address, or
 * undefined when the record carries none (they are in the value store). Throws
 * `MalformedRecordError` when they are over the cap or hash to something else:
 * any peer can write a task record, and such a one is ignored, not run.
 */
export function inlineArgsOf(task: TaskRecord): Uint8Array | undefined {
  if (task.inlineArgs === undefined) return undefined
  const known = verified.get(task)
  if (known !== undefined) return known
  // The record check (`records.ts`) has held it to base64 of at most a few bytes over the cap.
  const bytes = fromBase64(task.inlineArgs)
  if (bytes.byteLength > INLINE_VALUE_LIMIT) throw new MalformedRecordError(`task ${task.index}: inline arguments of ${bytes.byteLength} bytes, over ${INLINE_VALUE_LIMIT}`)
  try {
    verifyBytes(task.args, bytes)
  } catch (error) {
    throw new MalformedRecordError(`task ${task.index}: inline arguments do not hash to ${task.args}`, { cause: error })
  }
  verified.set(task, bytes)
  return bytes
}

/**
 * A task's arguments as its function receives them: from the record when they
 * are inline, else from the value store, with links (`{ "/": address }`)
 * resolved, and task links (`{ "/task": key }`) by `resolveTask`. Rejects with
 * `MalformedRecordError` for a record to be ignored, which includes one whose
 * `deps` (what schedulers read) are not exactly the task links its arguments
 * hold (what runs): a writer cannot have a task run before its inputs exist.
 */
export async function loadTaskArgs(task: TaskRecord, values: ValueStore, resolveTask?: TaskResolver): Promise<Value> {
  const inline = inlineArgsOf(task)
  const value = inline === undefined ? await values.get(task.args) : decodeCanonical(inline)
  const links = taskLinksIn(value)
  const deps = new Set(task.deps ?? [])
  if (links.length !== deps.size || links.some((key) => !deps.has(key))) {
    throw new MalformedRecordError(`task ${task.index}: its dependencies are not the task links in its arguments`)
  }
  if (links.length > 0 && resolveTask === undefined) throw new MalformedRecordError(`task ${task.index}: links to other tasks, and nothing here resolves them`)
  return resolveValueRefs(value, values, resolveTask)
}
