import type { ErrorRecord } from '../errors.ts'
import type { PureFunctionSource, KeywordArgs } from '../pure/define-pure.ts'
import type { Value } from '../encoding/supported-value.ts'
import type { TaskLogs } from '../pure/task-logs.ts'

export interface RunOptions {
  /** The task is abandoned, and its worker replaced, after this long. */
  readonly timeoutMs: number
  readonly signal?: AbortSignal
}

/**
 * How one run ended. `thrown` is the function's own deterministic outcome (it is
 * cached like a value); `timeout` says nothing about the function's result and is
 * retried elsewhere.
 */
export type Execution =
  | { readonly kind: 'value'; readonly value: Value; readonly durationMs: number; readonly logs?: TaskLogs }
  | { readonly kind: 'thrown'; readonly error: ErrorRecord; readonly durationMs: number; readonly logs?: TaskLogs }
  | { readonly kind: 'timeout'; readonly error: ErrorRecord; readonly durationMs: number }

/**
 * Runs pure functions. A function that throws or hangs never takes the executor down.
 *
 * `run` rejects, rather than resolving an `Execution`, only when there is no outcome
 * to report: source that does not match its address (`AddressError`), a closed
 * executor (`ExecutorClosedError`), or a run stopped by `options.signal` (`CancelledError`,
 * in executors that honour the signal).
 *
 * Worker-based executors may transfer the buffers of typed arrays and
 * ArrayBuffers in `args` to the worker, which detaches them on the caller's side.
 * Donors decode fresh arguments for every task, so this is safe for them; a caller
 * that must keep its arrays passes a copy.
 */
export interface Executor {
  run(fn: PureFunctionSource, args: KeywordArgs, options: RunOptions): Promise<Execution>
  close(): Promise<void>
}
