import { WorkerPool, type WorkerPoolOptions } from '@tessera/runtime/pool'
import { startWebWorker } from './web-worker-handle.ts'

export interface WebWorkerExecutorOptions extends Partial<Omit<WorkerPoolOptions, 'createWorker'>> {}

/** One worker per logical core, less one for the page itself, and at least one. */
export function defaultWebWorkerCount(): number {
  return Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1)
}

/**
 * Runs pure functions in Web Workers: a `WorkerPool` (watchdog, replacement,
 * queueing) whose workers run `web-worker.ts` (the pool's run protocol on a port of its own). All workers start
 * at once; `workers` defaults to `defaultWebWorkerCount()`. Typed arrays in
 * `args` are moved into the worker unless `transferArgs: false`.
 */
export class WebWorkerExecutor extends WorkerPool {
  constructor(options: WebWorkerExecutorOptions = {}) {
    super({ ...options, workers: options.workers ?? defaultWebWorkerCount(), createWorker: startWebWorker })
  }
}
