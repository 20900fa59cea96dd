import type { KeywordArgs, PureFunctionSource } from '@tessera/core'
import type { WorkerReply } from '@tessera/runtime/pool'

/** The messages between `ThreadExecutor` and `thread-worker.ts`. */
export interface ThreadRequest {
  readonly id: number
  readonly fn: PureFunctionSource
  readonly args: KeywordArgs
}

export type ThreadMessage = { readonly type: 'ready' } | { readonly type: 'reply'; readonly id: number; readonly reply: WorkerReply }
