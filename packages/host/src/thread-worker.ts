// The entry point of each ThreadExecutor worker thread (loaded through tsx).
import { parentPort } from 'node:worker_threads'
import { createWorkerRunner, serveRuns, type RunRequest, type WorkerEvent } from '@tessera/runtime/pool'

const port = parentPort
if (port === null) throw new Error('thread-worker.ts runs as a worker thread started by ThreadExecutor')

// A promise a task leaves rejected and unhandled would otherwise end the thread
// (Node's default), failing whatever runs next on it; its own result is already in.
process.on('unhandledRejection', () => {})

const serve = serveRuns(createWorkerRunner(), (message, transfer) => port.postMessage(message, transfer))
port.on('message', (request: RunRequest) => serve(request))
port.postMessage({ type: 'ready' } satisfies WorkerEvent)
