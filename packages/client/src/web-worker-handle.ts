import { HandleLifecycle, RunRequests, type WorkerEvent, type WorkerHandle } from '@tessera/runtime/pool'
import { CONNECT_WORKER } from './sandbox/protocol.ts'

/**
 * Starts one module Web Worker running `web-worker.ts`, as a `WorkerHandle` for
 * `WorkerPool`. Runs go over a `MessageChannel` whose far port the worker gets
 * first (`CONNECT_WORKER`), in the pool's run protocol (`RunRequests`), as with
 * sandboxed workers and Node's worker threads; what task code posts on the
 * worker's own channel is never read as a reply. Vite finds and bundles the
 * worker through the `new Worker(new URL(...), ...)` form, which must stay as is.
 *
 * Any `error` event counts as a crash: it is how a worker that failed to load
 * reports, and after an uncaught error from a task's stray callback the worker's
 * state is no longer trusted. A worker that runs out of memory usually takes the
 * whole tab down in Chromium, so there is nothing to catch there.
 */
export function startWebWorker(): WorkerHandle {
  const worker = new Worker(new URL('./web-worker.ts', import.meta.url), { type: 'module', name: 'tessera-executor' })
  const channel = new MessageChannel()
  const port = channel.port1
  const runs = new RunRequests((request, transfer) => port.postMessage(request, transfer))
  const life = new HandleLifecycle(() => runs.clear())
  port.onmessage = (event: MessageEvent<WorkerEvent>) => runs.receive(event.data, life)
  port.onmessageerror = () => life.crash('a reply could not be read')
  worker.addEventListener('error', (event: ErrorEvent) => life.crash(event.message || 'the worker failed to load or threw an uncaught error'))
  worker.postMessage(CONNECT_WORKER, [channel.port2])

  return {
    ready: life.ready,
    run: (fn, args, transfer) => runs.run(fn, args, transfer),
    terminate() {
      life.end()
      worker.terminate()
      port.close()
    },
    onCrash: (listener) => life.onCrash(listener),
  }
}
