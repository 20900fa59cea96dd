import type { RunRequest, WorkerEvent } from '@tessera/runtime/pool'

/**
 * The messages between the page, the sandbox frame and its workers, in one
 * place. The page talks to the frame over one `MessageChannel` (the control
 * port) and to each worker over a port of its own, which the frame hands the
 * worker when it starts it: after that, task traffic never passes the frame.
 */

/** How the frame gets the worker's code: inline text (a built bundle) or a module URL (Vite's dev server). */
export type WorkerCode = { readonly kind: 'classic'; readonly source: string } | { readonly kind: 'module'; readonly url: string }

/** Page → frame, once, through `window.postMessage` with the control port attached. */
export interface FrameInit {
  readonly type: 'tessera:sandbox-init'
  readonly code: WorkerCode
}

/** Page → frame, on the control port. `spawn` carries the new worker's port. */
export type FrameRequest = { readonly type: 'spawn'; readonly id: number } | { readonly type: 'terminate'; readonly id: number }

/** Frame → page, on the control port. */
export type FrameEvent = { readonly type: 'ready' } | { readonly type: 'crash'; readonly id: number; readonly reason: string }

/** Frame → worker, once, with the worker's port attached. */
export const CONNECT_WORKER = 'tessera:connect'

/** Page → worker, and worker → page: the pool's run protocol, as worker threads speak it too. */
export type { RunRequest, WorkerEvent }
