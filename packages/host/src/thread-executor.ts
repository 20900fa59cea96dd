import { availableParallelism } from 'node:os'
import { WorkerPool, type WorkerPoolOptions } from '@tessera/runtime/pool'
import { startThread, type ThreadOptions } from './thread-handle.ts'

export interface ThreadExecutorOptions extends Partial<Omit<WorkerPoolOptions, 'createWorker'>>, ThreadOptions {}

/**
 * Each thread's heap cap: a task that builds more than this ends its own thread
 * with a `TaskMemoryError`, rather than taking the whole host past V8's limit.
 */
export const DEFAULT_THREAD_HEAP_MB = 512

/** One thread per core, less one for the main thread (mesh, scheduling), and at least one. */
export function defaultThreadCount(): number {
  return Math.max(1, availableParallelism() - 1)
}

/**
 * Runs pure functions on `node:worker_threads`: a `WorkerPool` (watchdog,
 * replacement, queueing) whose workers are threads running `thread-worker.ts`.
 * All threads start at once; `workers` defaults to `defaultThreadCount()`.
 * Typed arrays in `args` are moved into the thread unless `transferArgs: false`.
 * Each thread's heap is capped (`DEFAULT_THREAD_HEAP_MB` unless `resourceLimits`).
 *
 * Threads share the process: task code on them can reach `process`, files and
 * the network. Use it only for code you trust (your own tasks); strangers'
 * tasks go through `IsolateExecutor`.
 */
export class ThreadExecutor extends WorkerPool {
  constructor(options: ThreadExecutorOptions = {}) {
    const { resourceLimits, ...pool } = options
    super({
      ...pool,
      workers: options.workers ?? defaultThreadCount(),
      createWorker: () => startThread({ resourceLimits: resourceLimits ?? { maxOldGenerationSizeMb: DEFAULT_THREAD_HEAP_MB } }),
    })
  }
}
