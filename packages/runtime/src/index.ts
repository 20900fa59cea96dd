/**
 * @packageDocumentation
 * `@tessera/runtime`: what a Tessera peer runs in any environment, over any
 * `PeerPort` (the mesh, or the simulator): the swarm API that `@tessera/host`
 * (Node) and `@tessera/client` (pages) hand out, and the worker pool with its
 * watchdog.
 */
export { Swarm } from './api/swarm.ts'
export type { SwarmParts } from './api/swarm-parts.ts'
export type { SwarmFunction, Streamed, WithRefs, ArgsWithRefs } from './api/swarm-function.ts'
export type { PureOptions, CallOptions, BatchOptions, SwarmStatus } from './api/options.ts'
export type { Progress, Settled } from './api/progress.ts'
export type { TaskLog } from './api/task-log.ts'
export { NO_WORKERS_DEFAULT_MS, type NoWorkersOptions } from './api/worker-watch.ts'
export type { JobSummary } from './api/job-summary.ts'
export { formatTaskRef, parseTaskRef, isTaskRef, TaskRef } from './api/task-ref.ts'
export type { GraphCallOptions, TaskGraph } from './api/task-graph.ts'
export { JobNotFoundError, type JobResult } from './api/job-results.ts'
export type { JobTimes, JobTimesOptions } from './api/job-times.ts'
export { assembleSwarm, type AssembleOptions } from './assemble.ts'
export { connectionJobDefaults, functionJobOptions } from './api/job-defaults.ts'
export {
  WorkerPool,
  DEFAULT_START_TIMEOUT_MS,
  createWorkerRunner,
  collectTransferables,
  type WorkerPoolOptions,
  type WorkerHandle,
  type WorkerFactory,
  type WorkerReply,
  type WorkerRunner,
  type WorkerAnswer,
} from './pool/index.ts'
