import { Worker, type ResourceLimits } from 'node:worker_threads'
import { HandleLifecycle, RunRequests, type WorkerEvent, type WorkerHandle } from '@tessera/runtime/pool'

export interface ThreadOptions {
  /** Heap limits per thread: a thread over them dies alone (ERR_WORKER_OUT_OF_MEMORY), not the process. */
  readonly resourceLimits?: ResourceLimits
}

/**
 * Where a thread starts: the bundled `tessera` bin's own build of `thread-worker.ts`
 * (`bin/cli-bundle.mjs`: ready in about 0.16 s against 0.7 s through tsx), or else
 * `thread-bootstrap.mjs`, which loads the sources through tsx.
 */
function threadEntry(): URL {
  const bundled = (globalThis as { [key: symbol]: unknown })[Symbol.for('tessera.cli.threadEntry')]
  return typeof bundled === 'string' ? new URL(bundled) : new URL('./thread-bootstrap.mjs', import.meta.url)
}

/**
 * Starts one worker thread running `thread-worker.ts`, as a `WorkerHandle` for
 * `WorkerPool`. The thread enters through `thread-bootstrap.mjs`, plain
 * JavaScript that registers tsx from this package's own dependencies, so it
 * works under `tsx`, Vitest and any working directory alike.
 */
export function startThread(options: ThreadOptions = {}): WorkerHandle {
  const worker = new Worker(threadEntry(), {
    ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
  })
  const runs = new RunRequests((request, transfer) => worker.postMessage(request, transfer))
  const life = new HandleLifecycle(() => runs.clear())
  const crash = (reason: string): void => life.crash(reason)
  worker.on('message', (event: WorkerEvent) => runs.receive(event, life))
  worker.on('error', (error: Error & { code?: string }) =>
    life.crash(`${error.name}: ${error.message}`, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out-of-memory' : undefined),
  )
  worker.on('messageerror', (error) => crash(`a reply could not be read: ${error.message}`))
  worker.on('exit', (code) => crash(`the thread exited with code ${code}`))
  // Idle threads alone do not keep the process alive; a running task's watchdog
  // timer does. After the listeners: adding a 'message' listener refs the worker again.
  worker.unref()

  return {
    ready: life.ready,
    run: (fn, args, transfer) => runs.run(fn, args, transfer),
    async terminate() {
      life.end()
      await worker.terminate()
    },
    onCrash: (listener) => life.onCrash(listener),
  }
}
