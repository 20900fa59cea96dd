import * as Comlink from 'comlink'
import type { KeywordArgs, PureFunctionSource } from '@tessera/core'
import { HandleLifecycle, type WorkerHandle, type WorkerReply } from '@tessera/runtime/pool'
import { WORKER_READY, type WebWorkerApi } from './web-worker-api.ts'

/**
 * Starts one module Web Worker running `web-worker.ts`, as a `WorkerHandle` for
 * `WorkerPool`, with comlink carrying the calls. Vite finds and bundles the
 * worker through the `new Worker(new URL(...), ...)` form, which must stay as is.
 *
 * Any `error` event counts as a crash: it is how a worker that failed to load
 * reports, and after an uncaught error from a task's stray callback the worker's
 * state is no longer trusted. A worker that runs out of memory usually takes the
 * whole tab down in Chromium, so there is nothing to catch there.
 */
export function startWebWorker(): WorkerHandle {
  const worker = new Worker(new URL('./web-worker.ts', import.meta.url), { type: 'module', name: 'tessera-executor' })
  const remote = Comlink.wrap<WebWorkerApi>(worker)
  const life = new HandleLifecycle()
  worker.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.data === WORKER_READY) life.markReady()
  })
  worker.addEventListener('error', (event: ErrorEvent) => life.crash(event.message || 'the worker failed to load or threw an uncaught error'))
  worker.addEventListener('messageerror', () => life.crash('a reply could not be read'))

  return {
    ready: life.ready,
    run(fn: PureFunctionSource, args: KeywordArgs, transfer: readonly ArrayBuffer[]): Promise<WorkerReply> {
      return remote.run(fn, Comlink.transfer(args, [...transfer]))
    },
    terminate() {
      life.end()
      worker.terminate()
    },
    onCrash: (listener) => life.onCrash(listener),
  }
}
