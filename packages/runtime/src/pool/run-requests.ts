import type { KeywordArgs, PureFunctionSource } from '@tessera/core'
import type { HandleLifecycle } from './handle-lifecycle.ts'
import type { WorkerReply } from './worker-handle.ts'

/** A handle → its worker: run one function. `id` pairs the reply with it. */
export interface RunRequest {
  readonly type: 'run'
  readonly id: number
  readonly fn: PureFunctionSource
  readonly args: KeywordArgs
}

/** A worker → its handle: ready to take runs (once), or the reply to run `id`. */
export type WorkerEvent = { readonly type: 'ready' } | { readonly type: 'reply'; readonly id: number; readonly reply: WorkerReply }

/**
 * The handle's side of a worker that speaks in messages (a worker thread, a
 * sandboxed Web Worker): numbers each run, sends it, and resolves it when the
 * reply with its number comes back. The transport stays the caller's.
 */
export class RunRequests {
  readonly #waiting = new Map<number, (reply: WorkerReply) => void>()
  #nextId = 0

  constructor(private readonly send: (request: RunRequest, transfer: ArrayBuffer[]) => void) {}

  /** Sends one run. Rejects when it cannot be sent (a value that cannot be cloned, say). */
  run(fn: PureFunctionSource, args: KeywordArgs, transfer: readonly ArrayBuffer[]): Promise<WorkerReply> {
    return new Promise<WorkerReply>((resolve, reject) => {
      const id = this.#nextId++
      this.#waiting.set(id, resolve)
      try {
        this.send({ type: 'run', id, fn, args }, [...transfer])
      } catch (error) {
        this.#waiting.delete(id)
        reject(error)
      }
    })
  }

  /** Takes one message from the worker: `ready` marks `life` ready, a reply settles its run. */
  receive(event: WorkerEvent, life: HandleLifecycle): void {
    if (event.type === 'ready') return life.markReady()
    const answer = this.#waiting.get(event.id)
    this.#waiting.delete(event.id)
    answer?.(event.reply)
  }

  /**
   * Forgets every run in flight, when the worker is gone: their promises stay
   * pending, as `WorkerHandle` allows, and the pool answers them itself.
   */
  clear(): void {
    this.#waiting.clear()
  }
}
