/**
 * @packageDocumentation
 * The worker pool behind `ThreadExecutor` (Node) and `WebWorkerExecutor`
 * (pages): the pool logic and watchdog, the worker-side runner, and the
 * handle interface each environment implements. No Node or DOM imports.
 */
export { WorkerPool, DEFAULT_START_TIMEOUT_MS, type WorkerPoolOptions } from './worker-pool.ts'
export type { WorkerHandle, WorkerFactory, WorkerReply, CrashCause } from './worker-handle.ts'
export { createWorkerRunner, type WorkerRunner, type WorkerAnswer } from './worker-main.ts'
export { collectTransferables } from './transferables.ts'
export { HandleLifecycle } from './handle-lifecycle.ts'
export { RunRequests, type RunRequest, type WorkerEvent } from './run-requests.ts'
export { serveRuns, type PostToHandle } from './serve-runs.ts'
export { HARDEN_REALM_SOURCE, hardenThisRealm } from './harden-realm.ts'
export { wasmBudgetSource, type WasmBudgetReport } from './wasm-budget.ts'
