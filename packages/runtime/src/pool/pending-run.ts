import { CancelledError, type Clock, type Execution, type KeywordArgs, type PureFunctionSource, type RunOptions } from '@tessera/core'

/**
 * One call of `WorkerPool.run`, from queue to answer. It settles exactly once,
 * whichever comes first of the worker's reply, the watchdog, a crash, the abort
 * signal or `close()`; everything after that is ignored.
 */
export class PendingRun {
  readonly promise: Promise<Execution>
  /** Set when the run is sent to a worker: the start of `durationMs` and of the watchdog. */
  startedAt: number | undefined
  #resolve!: (execution: Execution) => void
  #reject!: (error: Error) => void
  #settled = false
  #timer: unknown
  #clock: Clock | undefined
  readonly #onAbort: (() => void) | undefined

  constructor(
    readonly fn: PureFunctionSource,
    readonly args: KeywordArgs,
    readonly options: RunOptions,
    onAbort: (run: PendingRun) => void,
  ) {
    this.promise = new Promise<Execution>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    const signal = options.signal
    if (signal !== undefined) {
      this.#onAbort = () => onAbort(this)
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
  }

  get settled(): boolean {
    return this.#settled
  }

  /** Milliseconds since the run was sent to its worker; 0 if it never was. */
  elapsed(): number {
    return this.startedAt === undefined ? 0 : performance.now() - this.startedAt
  }

  /** Marks the run as sent and arms the watchdog. */
  start(clock: Clock, onTimeout: () => void): void {
    this.startedAt = performance.now()
    this.#clock = clock
    this.#timer = clock.setTimeout(onTimeout, this.options.timeoutMs)
  }

  resolve(execution: Execution): void {
    if (this.#finish()) this.#resolve(execution)
  }

  reject(error: Error): void {
    if (this.#finish()) this.#reject(error)
  }

  abortError(): CancelledError {
    return abortError(this.fn, this.options.signal)
  }

  #finish(): boolean {
    if (this.#settled) return false
    this.#settled = true
    if (this.#timer !== undefined) this.#clock?.clearTimeout(this.#timer)
    if (this.#onAbort !== undefined) this.options.signal?.removeEventListener('abort', this.#onAbort)
    return true
  }
}

export function abortError(fn: PureFunctionSource, signal: AbortSignal | undefined): CancelledError {
  return new CancelledError(`run of "${fn.name}" was aborted`, { cause: signal?.reason })
}
