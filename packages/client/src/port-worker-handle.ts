import { HandleLifecycle, RunRequests, type WorkerEvent, type WorkerHandle } from '@tessera/runtime/pool'

/**
 * The page's side of a task worker that takes runs on a port of its own
 * (`serve-on-port.ts`): runs go over a `MessageChannel` in the pool's run
 * protocol (`RunRequests`). `start` gets the far port to hand the worker (how
 * depends on where the worker runs) and a way to report a crash, and returns
 * how to stop the worker.
 */
export function portWorkerHandle(start: (farPort: MessagePort, crash: (reason: string) => void) => () => void): WorkerHandle {
  const channel = new MessageChannel()
  const port = channel.port1
  const runs = new RunRequests((request, transfer) => port.postMessage(request, transfer))
  const life = new HandleLifecycle(() => runs.clear())
  port.onmessage = (event: MessageEvent<WorkerEvent>) => runs.receive(event.data, life)
  port.onmessageerror = () => life.crash('a reply could not be read')
  const stop = start(channel.port2, (reason) => life.crash(reason))

  return {
    ready: life.ready,
    run: (fn, args, transfer) => runs.run(fn, args, transfer),
    terminate() {
      life.end()
      stop()
      port.close()
    },
    onCrash: (listener) => life.onCrash(listener),
  }
}
