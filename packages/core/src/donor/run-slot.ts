import { encodeAndAddress } from '../address.ts'
import type { Clock } from '../clock.ts'
import { MalformedRecordError } from '../errors.ts'
import type { Executor, Execution } from '../interfaces/executor.ts'
import type { Value } from '../encoding/supported-value.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import { loadTaskArgs } from '../swarm/task-args.ts'
import type { ValueStore } from '../swarm/value-store.ts'
import type { DependencyGate } from './dependency-gate.ts'
import type { FunctionLoader } from './function-loader.ts'
import { thrownExecution, type Finished, type Slot } from './write-back.ts'

export interface RunSlotParts {
  readonly functions: FunctionLoader
  readonly deps: DependencyGate
  readonly values: ValueStore
  readonly executor: Executor
  readonly clock: Clock
}

/** Runs one held task on the donor's executor: its outcome, with the result's bytes and address. */
export async function runSlot(view: JobIndex, slot: Slot, prefetched: Promise<Value> | undefined, o: RunSlotParts): Promise<Finished> {
  const task = view.task(slot.task)
  if (task === undefined) throw new Error(`task ${slot.task} of job ${slot.job} is not in its document`)
  let execution: Execution
  let fetchMs = 0
  try {
    const fn = o.functions.load(view.spec.fn)
    // Links (`{ "/": address }`, `{ "/task": key }`) resolve before the run, usually ahead (`prefetched`).
    const waitFrom = o.clock.now()
    const args = await (prefetched ?? loadTaskArgs(task, o.values, o.deps.resolverFor(view)))
    fetchMs = o.clock.now() - waitFrom // the worker idled: reported with the run
    execution = await o.executor.run(await fn, args as Record<string, unknown>, { timeoutMs: view.spec.timeoutMs })
  } catch (error) {
    // A record to ignore (inline arguments not its own) has no outcome to report.
    if (error instanceof MalformedRecordError) throw error
    execution = thrownExecution(error)
  }
  if (execution.kind !== 'value') return { ...slot, fetchMs, execution }
  try {
    return { ...slot, fetchMs, execution, result: encodeAndAddress(execution.value, 'result') }
  } catch (error) {
    return { ...slot, fetchMs, execution: thrownExecution(error, execution.durationMs) }
  }
}
