/**
 * @packageDocumentation
 * `@tessera/client`: Tessera from a web page. `connect()` joins a swarm,
 * donates the tab's compute through Web Workers unless `workers: 0`, and hands
 * out the same swarm API as `@tessera/host`.
 */
export { connect, type ConnectOptions } from './connect.ts'
export { WebWorkerExecutor, defaultWebWorkerCount, type WebWorkerExecutorOptions } from './web-worker-executor.ts'
export { WorkerClock } from './worker-clock.ts'
export type { Swarm, SwarmFunction, SwarmStatus, Progress, Settled, Streamed, TaskRef, PureOptions, BatchOptions, CallOptions } from '@tessera/runtime'
