import type { KeywordArgs, PureFunctionSource } from '@tessera/core'
import { HandleLifecycle, type WorkerHandle, type WorkerReply } from '@tessera/runtime/pool'
import type { RunRequest, WorkerEvent } from './protocol.ts'
import type { SandboxFrame } from './sandbox-frame.ts'

/** One sandboxed worker as `WorkerPool` sees it: runs go straight to the worker over its own port. */
export function startSandboxedWorker(frame: SandboxFrame): WorkerHandle {
  const channel = new MessageChannel()
  const port = channel.port1
  const life = new HandleLifecycle()
  const waiting = new Map<number, (reply: WorkerReply) => void>()
  let nextRun = 0
  port.onmessage = (event: MessageEvent<WorkerEvent>) => {
    const message = event.data
    if (message.type === 'ready') {
      life.markReady()
    } else {
      waiting.get(message.id)?.(message.reply)
      waiting.delete(message.id)
    }
  }
  port.onmessageerror = () => life.crash('a reply could not be read')
  const id = frame.spawn(channel.port2, (reason) => life.crash(reason))

  return {
    ready: life.ready,
    run(fn: PureFunctionSource, args: KeywordArgs, transfer: readonly ArrayBuffer[]): Promise<WorkerReply> {
      return new Promise<WorkerReply>((resolve, reject) => {
        const run = nextRun++
        waiting.set(run, resolve)
        const request: RunRequest = { type: 'run', id: run, fn, args }
        try {
          port.postMessage(request, [...transfer])
        } catch (error) {
          waiting.delete(run)
          reject(error)
        }
      })
    },
    terminate() {
      life.end()
      waiting.clear()
      frame.terminate(id)
      port.close()
    },
    onCrash: (listener) => life.onCrash(listener),
  }
}
