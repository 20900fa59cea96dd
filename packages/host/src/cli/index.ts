/**
 * @packageDocumentation
 * `@tessera/host/cli`: the parts of the `tessera` command that other programs
 * (`npm start`, tests) reuse: the server, job loading with bundled helpers,
 * running a job with a progress bar, and the command itself.
 */
export { main } from './main.ts'
export { loadJob, type LoadedJob } from './load-job.ts'
export { runJob, formatResult, type RunJobOptions } from './run-job.ts'
export { formatRunSummary, type RunCounts } from './run-summary.ts'
export { ProgressReporter, formatProgress, formatDuration, type ProgressLine, type ProgressOutput } from './progress-bar.ts'
export { jobSwarm, type JobSwarmOptions } from './job-swarm.ts'
export { ModuleScope } from './module-scope.ts'
export { selfContained } from './self-contained.ts'
export { assertSignalingReachable } from './reach-signaling.ts'
export { closeQuietly } from './close-quietly.ts'
export { UsageError, SignalingUnreachableError, JobModuleError, JobFailedError, NoSuchJobError, ListenError } from './cli-errors.ts'
export type { JobContext, JobModule } from './job-api.ts'
export { startTesseraServer, type TesseraServer, type TesseraServerOptions } from '../serve/tessera-server.ts'
export { staticFiles, mimeTypeOf, cacheControlOf } from '../serve/static-files.ts'
