import type { Clock } from '@tessera/core'
import type { PendingRun } from './pending-run.ts'
import type { CrashCause, WorkerFactory, WorkerHandle } from './worker-handle.ts'

export interface PoolWorkerEvents {
  ready(worker: PoolWorker): void
  crash(worker: PoolWorker, reason: string, cause?: CrashCause): void
}

/**
 * One slot of the pool: a worker handle, whether it has started, and the run it
 * holds. It turns the handle's lifecycle into two events the pool acts on, and
 * silences the handle once the pool has let go of it, so a late crash report
 * from a terminated worker cannot fail a run twice.
 */
export class PoolWorker {
  readonly handle: WorkerHandle
  /** The run this worker holds: waiting for the worker to start, or running. */
  current: PendingRun | undefined
  #ready = false
  #gone = false
  readonly #startTimer: unknown
  readonly #clock: Clock

  constructor(create: WorkerFactory, clock: Clock, startTimeoutMs: number, events: PoolWorkerEvents) {
    this.handle = create()
    this.#clock = clock
    // A worker that never says it is ready (a hung import) would hold its run forever.
    this.#startTimer = clock.setTimeout(() => {
      if (!this.#gone) events.crash(this, `the worker did not start within ${startTimeoutMs} ms`)
    }, startTimeoutMs)
    this.handle.onCrash((reason, cause) => {
      if (!this.#gone) events.crash(this, reason, cause)
    })
    void this.handle.ready.then(() => {
      this.#clock.clearTimeout(this.#startTimer)
      if (this.#gone) return
      this.#ready = true
      events.ready(this)
    })
  }

  get ready(): boolean {
    return this.#ready
  }

  get idle(): boolean {
    return this.current === undefined
  }

  /** Stops the worker; the pool hears nothing more from it. */
  terminate(): Promise<void> {
    if (this.#gone) return Promise.resolve()
    this.#gone = true
    this.#clock.clearTimeout(this.#startTimer)
    try {
      // A terminate that fails leaves nothing the pool could do better than forget the worker.
      return Promise.resolve(this.handle.terminate()).catch(() => {})
    } catch {
      return Promise.resolve()
    }
  }
}
