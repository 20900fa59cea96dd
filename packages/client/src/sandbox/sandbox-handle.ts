import { HandleLifecycle, RunRequests, type WorkerHandle } from '@tessera/runtime/pool'
import type { WorkerEvent } from './protocol.ts'
import type { SandboxFrame } from './sandbox-frame.ts'

/** One sandboxed worker as `WorkerPool` sees it: runs go straight to the worker over its own port. */
export function startSandboxedWorker(frame: SandboxFrame): WorkerHandle {
  const channel = new MessageChannel()
  const port = channel.port1
  const runs = new RunRequests((request, transfer) => port.postMessage(request, transfer))
  const life = new HandleLifecycle(() => runs.clear())
  port.onmessage = (event: MessageEvent<WorkerEvent>) => runs.receive(event.data, life)
  port.onmessageerror = () => life.crash('a reply could not be read')
  const id = frame.spawn(channel.port2, (reason) => life.crash(reason))

  return {
    ready: life.ready,
    run: (fn, args, transfer) => runs.run(fn, args, transfer),
    terminate() {
      life.end()
      frame.terminate(id)
      port.close()
    },
    onCrash: (listener) => life.onCrash(listener),
  }
}
