import type { ErrorRecord, Invocation, KeywordArgs, PureFunctionSource } from '@tessera/core'

/**
 * A worker's answer to one run: how the function ended, or `refused` when it
 * never ran because its source did not compile (for instance source that does
 * not match its address). The pool rejects a refused run with the rebuilt error.
 */
export type WorkerReply = Invocation | { readonly kind: 'refused'; readonly error: ErrorRecord }

/**
 * One worker as the pool sees it: the environment-specific part of an executor
 * (worker_threads in Node, Web Workers in pages, an in-process fake in tests).
 *
 * The pool keeps its own watchdog, so a handle never needs to time anything out,
 * and the promise from `run` may stay pending forever if the worker dies: the
 * pool hears about the death through `onCrash` and answers the run itself.
 */
export interface WorkerHandle {
  /**
   * Resolves once the worker can take runs. It never rejects: a worker that
   * fails to start reports through `onCrash`. The pool sends nothing before it.
   */
  readonly ready: Promise<void>
  /**
   * Runs one function. `transfer` lists the buffers in `args` to move rather
   * than copy; the handle moves result buffers back the same way. Rejects only
   * when the request could not be sent or the reply not received (a value that
   * cannot be cloned, say); the worker is assumed to be fine then.
   */
  run(fn: PureFunctionSource, args: KeywordArgs, transfer: readonly ArrayBuffer[]): Promise<WorkerReply>
  /** Stops the worker at once, even in the middle of a synchronous loop. No `onCrash` follows. */
  terminate(): void | Promise<void>
  /**
   * Called at most once, when the worker dies on its own (an error, an exit, out
   * of memory). `cause` is `'out-of-memory'` when the worker went over its heap
   * cap: the pool then fails the run with a `TaskMemoryError`.
   */
  onCrash(listener: (reason: string, cause?: CrashCause) => void): void
}

/** Why a worker died, when the handle can tell. */
export type CrashCause = 'out-of-memory'

/** Starts a worker. The pool calls it for each worker it starts, and again to replace one. */
export type WorkerFactory = () => WorkerHandle
