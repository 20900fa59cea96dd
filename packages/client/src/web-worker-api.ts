import type { KeywordArgs, PureFunctionSource } from '@tessera/core'
import type { WorkerReply } from '@tessera/runtime/pool'

/** What `web-worker.ts` exposes through comlink. */
export interface WebWorkerApi {
  run(fn: PureFunctionSource, args: KeywordArgs): Promise<WorkerReply>
}

/** The message a worker posts once comlink listens, so the pool knows it can take runs. */
export const WORKER_READY = 'tessera:worker-ready'
