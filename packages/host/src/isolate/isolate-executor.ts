import { WorkerPool, type WorkerPoolOptions } from '@tessera/runtime/pool'
import { defaultThreadCount } from '../thread-executor.ts'
import { startIsolate } from './isolate-handle.ts'

export interface IsolateExecutorOptions extends Partial<Omit<WorkerPoolOptions, 'createWorker'>> {
  /**
   * Each isolate's heap cap in MB, and each task's budget of WebAssembly memory (declared maxima, which the
   * heap cap does not cover: docs/security/wasm-memory.md). Default `DEFAULT_ISOLATE_HEAP_MB`.
   */
  readonly memoryLimitMb?: number
  /** Contexts (one per function address) each isolate keeps. Default 16. */
  readonly maxContexts?: number
}

export const DEFAULT_ISOLATE_HEAP_MB = 512

/**
 * Runs strangers' pure functions on a Node host, each worker a V8 isolate of
 * its own (isolated-vm): no route to the process, files, environment, network
 * or child processes; a fresh, hardened global scope per function address; a
 * heap cap per isolate, and as much again for a task's WebAssembly memories. Underneath is a `WorkerPool`, so the watchdog (which
 * disposes a looping isolate), replacement and queueing are those of the other
 * executors. `workers` defaults to `defaultThreadCount()`.
 */
export class IsolateExecutor extends WorkerPool {
  constructor(options: IsolateExecutorOptions = {}) {
    const { memoryLimitMb, maxContexts, ...pool } = options
    const isolate = { memoryLimitMb: memoryLimitMb ?? DEFAULT_ISOLATE_HEAP_MB, maxContexts: maxContexts ?? 16 }
    super({ ...pool, workers: options.workers ?? defaultThreadCount(), createWorker: () => startIsolate(isolate) })
  }
}
