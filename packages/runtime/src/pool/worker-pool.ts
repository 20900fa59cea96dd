import {
  ExecutorClosedError,
  fromErrorRecord,
  systemClock,
  TaskMemoryError,
  timeoutRecord,
  toErrorRecord,
  WorkerCrashedError,
  type Clock,
  type Execution,
  type Executor,
  type KeywordArgs,
  type PureFunctionSource,
  type RunOptions,
} from '@tessera/core'
import { abortError, PendingRun } from './pending-run.ts'
import { PoolWorker, type PoolWorkerEvents } from './pool-worker.ts'
import { collectTransferables } from './transferables.ts'
import type { CrashCause, WorkerFactory, WorkerReply } from './worker-handle.ts'

export interface WorkerPoolOptions {
  /** Starts one worker; called for each worker and for each replacement. */
  readonly createWorker: WorkerFactory
  /** How many runs go at once, one per worker (an integer, at least 1). Further runs queue, first in first out. */
  readonly workers: number
  /** A worker that has not started after this long counts as crashed. Default 30 s. */
  readonly startTimeoutMs?: number
  /**
   * Move the buffers of typed arrays and ArrayBuffers in `args` into the worker
   * instead of copying them, which detaches them for the caller. Default true:
   * donors decode fresh arguments for every task. Callers that keep using their
   * arrays pass copies, or set this to false.
   */
  readonly transferArgs?: boolean
  /**
   * Timers for the watchdogs. Default: the global timers. Pages pass a clock
   * that ticks from a worker, since a hidden tab throttles its own timers.
   */
  readonly clock?: Clock
}

export const DEFAULT_START_TIMEOUT_MS = 30_000

/**
 * An `Executor` over a fixed number of workers, each running one function at a
 * time, with a watchdog per run.
 *
 * - All workers start when the pool is made, so the first tasks do not wait for
 *   them to boot; the watchdog and `durationMs` start only once a run has been
 *   sent to a started worker, so boot time never counts against a task.
 * - A run past its `timeoutMs` resolves as `timeout` with a `TaskTimeoutError`;
 *   its worker is terminated (the only way to stop a synchronous loop) and a fresh
 *   one started. Other workers keep their runs.
 * - A worker that dies on its own fails its run as `timeout` with a
 *   `WorkerCrashedError` (retryable: it says nothing about the function), or with
 *   a `TaskMemoryError` when the handle says it went over its heap cap. It is
 *   replaced at once if it had started, and only when a run needs it if it died
 *   while starting, so a worker that cannot boot does not respawn in a loop. A
 *   worker that cannot be made at all (the factory throws) fails the run that
 *   needed it the same way.
 * - A run whose `signal` aborts rejects with a `CancelledError`: a queued run just
 *   leaves the queue; a running one has its worker terminated and replaced.
 * - `run` rejects with the rebuilt error (an `AddressError`, say) when the worker
 *   refused to compile the function, and with `ExecutorClosedError` after `close()`.
 */
export class WorkerPool implements Executor {
  readonly #options: Required<WorkerPoolOptions>
  readonly #events: PoolWorkerEvents
  #workers: PoolWorker[] = []
  #queue: PendingRun[] = []
  readonly #stopping = new Set<Promise<void>>()
  #closed = false

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`a worker pool needs a whole number of workers, at least 1; got ${options.workers}`)
    }
    this.#options = {
      createWorker: options.createWorker,
      workers: options.workers,
      startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      transferArgs: options.transferArgs ?? true,
      clock: options.clock ?? systemClock,
    }
    this.#events = {
      ready: (worker) => this.#onReady(worker),
      crash: (worker, reason, cause) => this.#onCrash(worker, reason, cause),
    }
    for (let i = 0; i < options.workers; i++) this.#spawn()
  }

  /** Workers alive now, started or starting. */
  get size(): number {
    return this.#workers.length
  }

  /** Runs held by a worker (running, or waiting for their worker to start). */
  get busy(): number {
    return this.#workers.filter((worker) => !worker.idle).length
  }

  /** Runs waiting for a free worker. */
  get queued(): number {
    return this.#queue.length
  }

  async run(fn: PureFunctionSource, args: KeywordArgs, options: RunOptions): Promise<Execution> {
    if (this.#closed) throw new ExecutorClosedError('executor is closed')
    // Only the three fields travel: a PureFunction also carries the original function, which cannot be cloned.
    const source: PureFunctionSource = { name: fn.name, source: fn.source, address: fn.address }
    if (options.signal?.aborted === true) throw abortError(source, options.signal)
    const run = new PendingRun(source, args, options, (aborted) => this.#abort(aborted))
    this.#queue.push(run)
    this.#pump()
    return run.promise
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const run of this.#queue.splice(0)) run.reject(new ExecutorClosedError('executor closed before the run started'))
    for (const worker of this.#workers.splice(0)) {
      worker.current?.reject(new ExecutorClosedError('executor closed during the run'))
      worker.current = undefined
      this.#stop(worker)
    }
    await Promise.all(this.#stopping)
  }

  /** Hands queued runs to idle workers, started ones first, starting workers as needed. */
  #pump(): void {
    while (!this.#closed && this.#queue.length > 0) {
      let worker = this.#workers.find((w) => w.idle && w.ready) ?? this.#workers.find((w) => w.idle)
      if (worker === undefined && this.#workers.length < this.#options.workers) {
        const spawned = this.#spawn()
        if (!(spawned instanceof PoolWorker)) {
          // No worker can be made at all now: fail the run rather than leave it queued with nothing to take it.
          const run = this.#queue.shift() as PendingRun
          const error = new WorkerCrashedError(`could not start a worker for "${run.fn.name}": ${describe(spawned.error)}`)
          run.resolve({ kind: 'timeout', error: toErrorRecord(error), durationMs: 0 })
          continue
        }
        worker = spawned
      }
      if (worker === undefined) return
      const run = this.#queue.shift() as PendingRun
      worker.current = run
      if (worker.ready) this.#send(worker, run)
    }
  }

  // A factory that throws (a blocked worker script, say) must not throw out of a timer callback.
  #spawn(): PoolWorker | { readonly error: unknown } {
    let worker: PoolWorker
    try {
      worker = new PoolWorker(this.#options.createWorker, this.#options.clock, this.#options.startTimeoutMs, this.#events)
    } catch (error) {
      return { error }
    }
    this.#workers.push(worker)
    return worker
  }

  #onReady(worker: PoolWorker): void {
    if (worker.current !== undefined && worker.current.startedAt === undefined) this.#send(worker, worker.current)
    else this.#pump()
  }

  #send(worker: PoolWorker, run: PendingRun): void {
    run.start(this.#options.clock, () => this.#timeOut(worker, run))
    let reply: Promise<WorkerReply>
    try {
      reply = worker.handle.run(run.fn, run.args, this.#options.transferArgs ? collectTransferables(run.args) : [])
    } catch (error) {
      reply = Promise.reject(error)
    }
    reply.then(
      (answer) => this.#onReply(worker, run, answer),
      (error: unknown) => this.#onSendFailed(worker, run, error),
    )
  }

  #onReply(worker: PoolWorker, run: PendingRun, reply: WorkerReply): void {
    if (worker.current !== run) return
    worker.current = undefined
    if (reply.kind === 'refused') run.reject(fromErrorRecord(reply.error))
    else {
      // A worker's console output, bounded where it was captured; checked again where it is reported.
      const logs = reply.logs === undefined ? {} : { logs: reply.logs }
      if (reply.kind === 'value') run.resolve({ kind: 'value', value: reply.value, durationMs: run.elapsed(), ...logs })
      else run.resolve({ kind: 'thrown', error: reply.error, durationMs: run.elapsed(), ...logs })
    }
    this.#pump()
  }

  // The request never reached the worker or the reply never came back (an
  // uncloneable value): the run fails, the worker itself is fine.
  #onSendFailed(worker: PoolWorker, run: PendingRun, error: unknown): void {
    if (worker.current !== run) return
    worker.current = undefined
    run.reject(error instanceof Error ? error : new Error(String(error)))
    this.#pump()
  }

  #timeOut(worker: PoolWorker, run: PendingRun): void {
    if (worker.current !== run) return
    this.#replace(worker)
    run.resolve({ kind: 'timeout', error: timeoutRecord(run.fn, run.options.timeoutMs), durationMs: run.elapsed() })
    this.#pump()
  }

  #onCrash(worker: PoolWorker, reason: string, cause?: CrashCause): void {
    if (!this.#workers.includes(worker)) return
    const run = worker.current
    const started = worker.ready
    if (started) this.#replace(worker)
    else this.#retire(worker)
    if (run !== undefined) {
      const doing = run.startedAt === undefined ? `starting for "${run.fn.name}"` : `running "${run.fn.name}"`
      const error = toErrorRecord(
        cause === 'out-of-memory'
          ? new TaskMemoryError(`"${run.fn.name}" went over the donor's heap cap and was stopped: ${reason}`)
          : new WorkerCrashedError(`a worker died while ${doing}: ${reason}`),
      )
      run.resolve({ kind: 'timeout', error, durationMs: run.elapsed() })
    }
    this.#pump()
  }

  #abort(run: PendingRun): void {
    if (run.settled) return
    const queued = this.#queue.indexOf(run)
    if (queued !== -1) this.#queue.splice(queued, 1)
    const worker = this.#workers.find((w) => w.current === run)
    if (worker !== undefined) {
      // A run that is still waiting for its worker to boot leaves the worker be.
      if (run.startedAt === undefined) worker.current = undefined
      else this.#replace(worker)
    }
    run.reject(run.abortError())
    this.#pump()
  }

  #replace(worker: PoolWorker): void {
    this.#retire(worker)
    // If the replacement cannot start, the next run that needs a worker tries again.
    if (!this.#closed) this.#spawn()
  }

  #retire(worker: PoolWorker): void {
    this.#workers = this.#workers.filter((w) => w !== worker)
    worker.current = undefined
    this.#stop(worker)
  }

  #stop(worker: PoolWorker): void {
    const stopped = worker.terminate().finally(() => this.#stopping.delete(stopped))
    this.#stopping.add(stopped)
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
