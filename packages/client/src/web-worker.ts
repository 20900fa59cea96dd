// The entry point of each WebWorkerExecutor worker: the shared runner behind comlink.
import * as Comlink from 'comlink'
import type { KeywordArgs, PureFunctionSource } from '@tessera/core'
import { createWorkerRunner, hardenThisRealm } from '@tessera/runtime/pool'
import { WORKER_READY, type WebWorkerApi } from './web-worker-api.ts'

// Every built-in and the global object are frozen before any task runs: no task can change what a later task, of any job, sees.
hardenThisRealm()

const runner = createWorkerRunner()

const api: WebWorkerApi = {
  async run(fn: PureFunctionSource, args: KeywordArgs) {
    const { reply, transfer } = await runner.run(fn, args)
    return Comlink.transfer(reply, transfer)
  },
}

Comlink.expose(api)
// Comlink ignores messages that answer none of its calls, so this one can share the channel.
postMessage(WORKER_READY)
