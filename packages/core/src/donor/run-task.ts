import { encodeAndAddress } from '../address.ts'
import type { Clock } from '../clock.ts'
import type { Value } from '../encoding/supported-value.ts'
import { MalformedRecordError } from '../errors.ts'
import type { Execution, Executor } from '../interfaces/executor.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import { loadTaskArgs } from '../swarm/task-args.ts'
import type { TaskResolver } from '../swarm/task-link.ts'
import type { ValueStore } from '../swarm/value-store.ts'
import type { FunctionLoader } from './function-loader.ts'
import { isUnavailableInput, loadWithRetries, unavailableInputs } from './unavailable-inputs.ts'
import { thrownExecution, type Finished, type Slot } from './write-back.ts'

export interface RunTaskContext {
  readonly functions: FunctionLoader
  readonly executor: Executor
  readonly values: ValueStore
  readonly clock: Clock
  /** Resolves the task's links to other tasks (`DependencyGate.resolverFor`). */
  readonly resolver: TaskResolver
}

/**
 * One claimed task run on the donor's executor: its arguments (fetched ahead
 * in `prefetched`, usually), the run, and its result encoded and addressed.
 * `fetchMs` is how long the worker idled waiting for the arguments.
 */
export async function runTask(view: JobIndex, slot: Slot, prefetched: Promise<Value> | undefined, c: RunTaskContext): Promise<Finished> {
  const task = view.task(slot.task)
  if (task === undefined) throw new Error(`task ${slot.task} of job ${slot.job} is not in its document`)
  let execution: Execution
  let fetchMs = 0
  const started = c.clock.now()
  try {
    // Links (`{ "/": address }`, `{ "/task": key }`) are resolved before the run, usually ahead of time.
    // The first try takes the arguments fetched ahead; a later one fetches them again.
    const [fn, args] = await loadWithRetries(
      (attempt) => Promise.all([c.functions.load(view.spec.fn), (attempt === 0 ? prefetched : undefined) ?? loadTaskArgs(task, c.values, c.resolver)]),
      c.clock,
    )
    fetchMs = c.clock.now() - started // the worker idled: reported with the run
    execution = await c.executor.run(fn, args as Record<string, unknown>, { timeoutMs: view.spec.timeoutMs })
  } catch (error) {
    // A record to ignore (inline arguments that are not its own) has no outcome: nothing is reported on it.
    if (error instanceof MalformedRecordError) throw error
    // Inputs no peer served after the retries: not an outcome either. The attempt ends as a timeout does, with
    // the error that names the missing bytes (signed, never cached), and the task is tried again, on any donor.
    if (isUnavailableInput(error)) return { ...slot, fetchMs, execution: unavailableInputs(error, c.clock.now() - started) }
    execution = thrownExecution(error)
  }
  if (execution.kind !== 'value') return { ...slot, fetchMs, execution }
  try {
    return { ...slot, fetchMs, execution, result: encodeAndAddress(execution.value, 'result') }
  } catch (error) {
    return { ...slot, fetchMs, execution: thrownExecution(error, execution.durationMs) }
  }
}
