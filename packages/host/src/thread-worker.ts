// The entry point of each ThreadExecutor worker thread (loaded through tsx).
import { parentPort } from 'node:worker_threads'
import { createWorkerRunner, type RunRequest, type WorkerEvent } from '@tessera/runtime/pool'

const port = parentPort
if (port === null) throw new Error('thread-worker.ts runs as a worker thread started by ThreadExecutor')

// A promise a task leaves rejected and unhandled would otherwise end the thread
// (Node's default), failing whatever runs next on it; its own result is already in.
process.on('unhandledRejection', () => {})

const runner = createWorkerRunner()

port.on('message', (request: RunRequest) => {
  void runner.run(request.fn, request.args).then(({ reply, transfer }) => {
    const message: WorkerEvent = { type: 'reply', id: request.id, reply }
    try {
      port.postMessage(message, transfer)
    } catch {
      // Node refuses to move some buffers (those of its Buffer pool); copy them instead.
      port.postMessage(message)
    }
  })
})

port.postMessage({ type: 'ready' } satisfies WorkerEvent)
