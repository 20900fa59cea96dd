import { createWorkerRunner, serveRuns, type RunRequest, type WorkerEvent } from '@tessera/runtime/pool'
import { CONNECT_WORKER } from './sandbox/protocol.ts'

/**
 * A task worker's side of the run protocol, on a port of its own: the worker
 * waits for the one message that brings the port (`CONNECT_WORKER`), then
 * takes runs and answers them there only. Task code never holds that port
 * (it lives in this closure, and its `postMessage` is bound before any task
 * runs), so a task that reaches the global scope can post nothing its handle
 * reads as a reply: no job can answer for another's runs. Call it after the
 * realm is hardened.
 */
export function serveRunsOnConnect(): void {
  const runner = createWorkerRunner()
  const onConnect = (event: MessageEvent<unknown>): void => {
    const port = event.ports[0]
    if (event.data !== CONNECT_WORKER || port === undefined) return
    globalThis.removeEventListener('message', onConnect)
    const post = port.postMessage.bind(port) as (message: WorkerEvent, transfer: Transferable[]) => void
    const serve = serveRuns(runner, post)
    port.onmessage = (request: MessageEvent<RunRequest>) => serve(request.data)
    post({ type: 'ready' }, [])
  }
  globalThis.addEventListener('message', onConnect)
}
