import type { WorkerHandle } from '@tessera/runtime/pool'
import { portWorkerHandle } from './port-worker-handle.ts'
import { CONNECT_WORKER } from './sandbox/protocol.ts'

/**
 * Starts one module Web Worker running `web-worker.ts`, as a `WorkerHandle` for
 * `WorkerPool`. The worker gets its port first (`CONNECT_WORKER`) and takes runs
 * there only (`port-worker-handle.ts`), as sandboxed workers do: what task code
 * posts on the worker's own channel is never read as a reply. Vite finds and
 * bundles the worker through the `new Worker(new URL(...), ...)` form, which
 * must stay as is.
 *
 * Any `error` event counts as a crash: it is how a worker that failed to load
 * reports, and after an uncaught error from a task's stray callback the worker's
 * state is no longer trusted. A worker that runs out of memory usually takes the
 * whole tab down in Chromium, so there is nothing to catch there.
 */
export function startWebWorker(): WorkerHandle {
  return portWorkerHandle((farPort, crash) => {
    const worker = new Worker(new URL('./web-worker.ts', import.meta.url), { type: 'module', name: 'tessera-executor' })
    worker.addEventListener('error', (event: ErrorEvent) => crash(event.message || 'the worker failed to load or threw an uncaught error'))
    worker.postMessage(CONNECT_WORKER, [farPort])
    return () => worker.terminate()
  })
}
