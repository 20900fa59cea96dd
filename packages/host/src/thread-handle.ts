import { Worker, type ResourceLimits } from 'node:worker_threads'
import type { KeywordArgs, PureFunctionSource } from '@tessera/core'
import { HandleLifecycle, type WorkerHandle, type WorkerReply } from '@tessera/runtime/pool'
import type { ThreadMessage, ThreadRequest } from './thread-protocol.ts'

export interface ThreadOptions {
  /** Heap limits per thread: a thread over them dies alone (ERR_WORKER_OUT_OF_MEMORY), not the process. */
  readonly resourceLimits?: ResourceLimits
}

/**
 * Starts one worker thread running `thread-worker.ts`, as a `WorkerHandle` for
 * `WorkerPool`. The thread enters through `thread-bootstrap.mjs`, plain
 * JavaScript that registers tsx from this package's own dependencies, so it
 * works under `tsx`, Vitest and any working directory alike.
 */
export function startThread(options: ThreadOptions = {}): WorkerHandle {
  const worker = new Worker(new URL('./thread-bootstrap.mjs', import.meta.url), {
    ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
  })
  const replies = new Map<number, (reply: WorkerReply) => void>()
  let nextId = 0
  const life = new HandleLifecycle(() => replies.clear())
  const crash = (reason: string): void => life.crash(reason)
  worker.on('message', (message: ThreadMessage) => {
    if (message.type === 'ready') return life.markReady()
    const answer = replies.get(message.id)
    replies.delete(message.id)
    answer?.(message.reply)
  })
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
    run(fn: PureFunctionSource, args: KeywordArgs, transfer: readonly ArrayBuffer[]): Promise<WorkerReply> {
      return new Promise((resolve) => {
        const id = nextId++
        replies.set(id, resolve)
        try {
          worker.postMessage({ id, fn, args } satisfies ThreadRequest, [...transfer])
        } catch (error) {
          replies.delete(id)
          throw error
        }
      })
    },
    async terminate() {
      life.end()
      await worker.terminate()
    },
    onCrash: (listener) => life.onCrash(listener),
  }
}
