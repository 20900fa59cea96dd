import * as v from 'valibot'
import type { Identity } from '../identity/identity.ts'
import { SIGNATURE_TEXT_LENGTH } from '../identity/signatures.ts'
import type { JobId, TaskKey } from '../ids.ts'
import { outcomeStatement, rememberOwnOutcome, signStatements, verifyStatements, type OutcomeProof, type Statement } from './outcome-proofs.ts'
import { checker, isTaskId, MAX_ID_LENGTH, outcomeSchema, record } from './records.ts'
import type { JobSpec, Outcome, TaskId, TaskVerdict, VerdictLeaf, VerdictRecord } from './schema.ts'
import { outcomeId } from '../scheduler/outcome.ts'

/**
 * The submitter's verdicts on an adaptive job's tasks. Each flush of the
 * submitter's referee (`peer/referee.ts`) is one record in the job document's
 * `verdicts` map, signed once as a Merkle batch:
 * - an accepting leaf is the same statement a donor signs, "task key K gives
 *   outcome O" (`outcome-proofs.ts`), so its proof doubles as the submitter's
 *   signature in the result's cache entry;
 * - a checking leaf says "run K again before anything is accepted", in a
 *   statement of its own kind that names the job.
 *
 * Readers check the whole record against the job's submitter before they use
 * any leaf; a record a stranger wrote, or one with a leaf changed, is ignored.
 */

/** Leaves per record: a flush of the referee is far smaller, and a reader holds at most this many per record. */
export const MAX_VERDICT_LEAVES = 4096

const CHECK_TAG = 'tessera/check@1'

const taskId = v.pipe(v.string(), v.minLength(1), v.maxLength(8))
const verdictSchema = record({
  leaves: v.pipe(v.array(record({ task: taskId, outcome: v.optional(outcomeSchema) })), v.minLength(1), v.maxLength(MAX_VERDICT_LEAVES)),
  sig: v.pipe(v.string(), v.length(SIGNATURE_TEXT_LENGTH), v.regex(/^[A-Za-z0-9_-]*$/)),
})
const isVerdictShaped = checker<VerdictRecord>(verdictSchema)

/** A verdict record's key: the submitter names each flush; any short plain key will do. */
const KEY_PATTERN = /^[A-Za-z0-9_.:-]+$/

function statementOf(job: JobId, key: TaskKey, leaf: VerdictLeaf): Statement {
  return leaf.outcome === undefined ? JSON.stringify([CHECK_TAG, job, key]) : outcomeStatement(key, leaf.outcome)
}

/** A signed record of `leaves`, and for each accepting leaf the submitter's proof of its outcome. */
export function signVerdicts(
  identity: Identity,
  spec: JobSpec,
  leaves: ReadonlyArray<VerdictLeaf & { readonly key: TaskKey }>,
): { record: VerdictRecord; proofs: Map<TaskId, OutcomeProof> } {
  if (leaves.length === 0 || leaves.length > MAX_VERDICT_LEAVES) throw new RangeError(`a verdict record holds 1 to ${MAX_VERDICT_LEAVES} leaves, not ${leaves.length}`)
  const proofs = signStatements(identity, leaves.map((leaf) => statementOf(spec.id, leaf.key, leaf)))
  const byTask = new Map<TaskId, OutcomeProof>()
  leaves.forEach((leaf, i) => {
    if (leaf.outcome === undefined) return
    byTask.set(leaf.task, proofs[i]!)
    // The submitter's cache entries carry these proofs, and it reads them back: its own signatures need no check.
    rememberOwnOutcome(identity.peer, leaf.key, { outcome: leaf.outcome, proof: proofs[i]! })
  })
  const record: VerdictRecord = {
    leaves: leaves.map(({ task, outcome }) => (outcome === undefined ? { task } : { task, outcome: plainOutcome(outcome) })),
    sig: proofs[0]!.sig,
  }
  signedHere.set(record, { job: spec.id, signer: identity.peer, keys: leaves.map((leaf) => leaf.key) })
  return { record, proofs: byTask }
}

/** The outcome as a record carries it: only the fields statements sign (an error's stack stays out). */
function plainOutcome(outcome: Outcome): Outcome {
  return outcome.kind === 'value' ? { kind: 'value', result: outcome.result } : { kind: 'thrown', error: { name: outcome.error.name, message: outcome.error.message } }
}

export type VerdictCheck = { readonly kind: 'valid'; readonly record: VerdictRecord } | { readonly kind: 'invalid' } | { readonly kind: 'waiting' }

/**
 * The record under `key` in `spec`'s job, if its submitter signed it. `keyOf`
 * gives a task's checked key; while one of the record's tasks is not here yet
 * the record is `waiting` (the job's tasks sync in any order).
 */
export function checkVerdict(spec: JobSpec, key: string, input: unknown, keyOf: (task: TaskId) => TaskKey | undefined): VerdictCheck {
  if (spec.replication === undefined || key.length > MAX_ID_LENGTH || !KEY_PATTERN.test(key) || !isVerdictShaped(input)) return INVALID
  const known = checked.get(input)
  if (known !== undefined && known.job === spec.id) return known.valid ? { kind: 'valid', record: input } : INVALID
  if (isSignedHere(spec, input, keyOf)) return remember(input, spec.id, true)
  const statements: Statement[] = []
  const outcomes: Array<{ leaf: number; key: TaskKey; outcome: Outcome }> = []
  for (const leaf of input.leaves) {
    if (!isTaskId(leaf.task, spec.taskCount)) return remember(input, spec.id, false)
    const taskKey = keyOf(leaf.task)
    if (taskKey === undefined) return WAITING
    if (leaf.outcome !== undefined) outcomes.push({ leaf: statements.length, key: taskKey, outcome: leaf.outcome })
    statements.push(statementOf(spec.id, taskKey, leaf))
  }
  // The accepting leaves' proofs travel on in cache entries: proven here, they need no second check there.
  return remember(input, spec.id, verifyStatements(spec.submittedBy, statements, input.sig, outcomes))
}

/**
 * Records this process signed (`signVerdicts`), with the task key each leaf's
 * statement named. The submitter reads its own records back from the job
 * document (Yjs hands back the object written), and checking them cost its
 * host half a second of the dispatch bench. Such a record is what this
 * process signed over exactly these keys, so it is valid for a job whose
 * submitter is that signer once each task is here under the key it was
 * signed with; a task not here yet still makes it wait, and any other key
 * sends it through the full check.
 */
const signedHere = new WeakMap<object, { readonly job: JobId; readonly signer: string; readonly keys: readonly TaskKey[] }>()

function isSignedHere(spec: JobSpec, input: VerdictRecord, keyOf: (task: TaskId) => TaskKey | undefined): boolean {
  const own = signedHere.get(input)
  if (own === undefined || own.job !== spec.id || own.signer !== spec.submittedBy || own.keys.length !== input.leaves.length) return false
  return input.leaves.every((leaf, i) => isTaskId(leaf.task, spec.taskCount) && keyOf(leaf.task) === own.keys[i])
}

const INVALID: VerdictCheck = { kind: 'invalid' }
const WAITING: VerdictCheck = { kind: 'waiting' }
const checked = new WeakMap<object, { job: JobId; valid: boolean }>()

function remember(input: VerdictRecord, job: JobId, valid: boolean): VerdictCheck {
  checked.set(input, { job, valid })
  return valid ? { kind: 'valid', record: input } : INVALID
}

/**
 * Adds a checked verdict record to what is known per task; returns the tasks
 * it names. Verdicts only add: an accepted outcome stays (the smallest, should
 * a submitter contradict itself), and a check stays asked for.
 */
export function mergeVerdicts(known: Map<TaskId, TaskVerdict>, record: VerdictRecord): TaskId[] {
  const tasks: TaskId[] = []
  for (const leaf of record.leaves) {
    const before = known.get(leaf.task)
    const accepted =
      leaf.outcome === undefined || (before?.accepted !== undefined && outcomeId(before.accepted) <= outcomeId(leaf.outcome)) ? before?.accepted : leaf.outcome
    known.set(leaf.task, { ...(accepted === undefined ? {} : { accepted }), check: (before?.check ?? false) || leaf.outcome === undefined })
    tasks.push(leaf.task)
  }
  return tasks
}
