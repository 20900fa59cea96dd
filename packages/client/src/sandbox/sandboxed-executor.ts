import { ExecutorClosedError, type Execution, type Executor, type KeywordArgs, type PureFunctionSource, type RunOptions } from '@tessera/core'
import { WorkerPool, type WorkerPoolOptions } from '@tessera/runtime/pool'
import { defaultWebWorkerCount } from '../web-worker-executor.ts'
import { startSandboxedWorker } from './sandbox-handle.ts'
import { SandboxFrame } from './sandbox-frame.ts'

export interface SandboxedExecutorOptions extends Partial<Omit<WorkerPoolOptions, 'createWorker' | 'workers'>> {
  /** Runs at once, one per worker; 0 keeps no worker alive. Default `defaultWebWorkerCount()`. */
  readonly workers?: number
}

/**
 * Runs pure functions in Web Workers that cannot reach the page: the workers
 * start inside a sandboxed iframe with an opaque origin, under a policy with no
 * network access, and their network and storage APIs are replaced by stubs that
 * throw `SandboxError` (see `SandboxFrame` and `lockDown`). Underneath is a
 * `WorkerPool`, so the watchdog, replacement and queueing are the same as
 * `WebWorkerExecutor`'s.
 *
 * `resize(n)` changes the worker count while runs are going on: new runs go to
 * a pool of the new size, and the old pool ends once its runs have finished.
 * At 0, runs that still arrive get one worker, which ends when it is idle.
 */
export class SandboxedExecutor implements Executor {
  readonly #frame: SandboxFrame
  readonly #options: SandboxedExecutorOptions
  readonly #inFlight = new Map<WorkerPool, number>()
  #pool: WorkerPool | undefined
  #workers: number
  #closed = false

  constructor(options: SandboxedExecutorOptions = {}, frame: SandboxFrame = new SandboxFrame()) {
    this.#options = options
    this.#frame = frame
    this.#workers = checkCount(options.workers ?? defaultWebWorkerCount())
    if (this.#workers > 0) this.#pool = this.#makePool(this.#workers)
  }

  /** The worker count asked for. */
  get workers(): number {
    return this.#workers
  }

  /** Runs going on now, in any pool. */
  get busy(): number {
    let busy = 0
    for (const count of this.#inFlight.values()) busy += count
    return busy
  }

  resize(workers: number): void {
    checkCount(workers)
    if (this.#closed || workers === this.#workers) return
    this.#workers = workers
    const old = this.#pool
    this.#pool = workers > 0 ? this.#makePool(workers) : undefined
    if (old !== undefined) this.#retireIfIdle(old)
  }

  async run(fn: PureFunctionSource, args: KeywordArgs, options: RunOptions): Promise<Execution> {
    if (this.#closed) throw new ExecutorClosedError('executor is closed')
    const pool = (this.#pool ??= this.#makePool(Math.max(1, this.#workers)))
    this.#inFlight.set(pool, (this.#inFlight.get(pool) ?? 0) + 1)
    try {
      return await pool.run(fn, args, options)
    } finally {
      this.#inFlight.set(pool, (this.#inFlight.get(pool) ?? 1) - 1)
      if (pool !== this.#pool || this.#workers === 0) this.#retireIfIdle(pool)
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const pools = [...this.#inFlight.keys()]
    this.#inFlight.clear()
    this.#pool = undefined
    await Promise.all(pools.map((pool) => pool.close()))
    this.#frame.close()
  }

  #makePool(workers: number): WorkerPool {
    const pool = new WorkerPool({ ...this.#options, workers, createWorker: () => startSandboxedWorker(this.#frame) })
    this.#inFlight.set(pool, 0)
    return pool
  }

  #retireIfIdle(pool: WorkerPool): void {
    if ((this.#inFlight.get(pool) ?? 0) > 0) return
    this.#inFlight.delete(pool)
    if (this.#pool === pool) this.#pool = undefined
    void pool.close()
  }
}

function checkCount(workers: number): number {
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`a worker count is a whole number, 0 or more; got ${workers}`)
  return workers
}
