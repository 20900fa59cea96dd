import { toErrorRecord } from '@tessera/core'
import type { RunRequest, WorkerEvent } from './run-requests.ts'
import type { WorkerAnswer, WorkerRunner } from './worker-main.ts'

/** How a worker posts to its handle: a Node worker thread's port, a Web Worker's scope, a sandboxed worker's port. */
export type PostToHandle = (message: WorkerEvent, transfer: ArrayBuffer[]) => void

/**
 * The worker's side of the run protocol (`run-requests.ts`), whatever carries
 * its messages: each `RunRequest` is run by `runner` and answered with a reply
 * bearing its id. Returns the handler for incoming requests; the caller
 * attaches it, then posts `{ type: 'ready' }`.
 *
 * A reply whose buffers cannot be moved (Node refuses those of its Buffer
 * pool) goes again as a copy; one that cannot be sent at all (a value the
 * structured clone refuses) goes as a thrown error naming why, so no run is
 * left unanswered.
 */
export function serveRuns(runner: WorkerRunner, post: PostToHandle): (request: RunRequest) => void {
  return (request) => {
    void answer(runner, request).then(({ reply, transfer }) => {
      const message: WorkerEvent = { type: 'reply', id: request.id, reply }
      try {
        post(message, transfer)
        return
      } catch {
        // Moving failed: copying may not.
      }
      try {
        post(message, [])
      } catch (error) {
        post({ type: 'reply', id: request.id, reply: { kind: 'thrown', error: toErrorRecord(error) } }, [])
      }
    })
  }
}

async function answer(runner: WorkerRunner, request: RunRequest): Promise<WorkerAnswer> {
  try {
    return await runner.run(request.fn, request.args)
  } catch (error) {
    return { reply: { kind: 'thrown', error: toErrorRecord(error) }, transfer: [] }
  }
}
