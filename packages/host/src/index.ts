/**
 * @packageDocumentation
 * `@tessera/host`: Tessera from Node. `connect()` joins a swarm (signaling on
 * `ws://127.0.0.1:8787`, room `default`, data under `.tessera/`), donates worker
 * threads unless `workers: 0`, and hands out the swarm API.
 */
export { connect, type ConnectOptions } from './connect.ts'
export { ThreadExecutor, defaultThreadCount, DEFAULT_THREAD_HEAP_MB, type ThreadExecutorOptions } from './thread-executor.ts'
export { IsolateExecutor, DEFAULT_ISOLATE_HEAP_MB, type IsolateExecutorOptions } from './isolate/isolate-executor.ts'
export { loadSandbox, type DonorSandbox } from './isolate/load-sandbox.ts'
import type { MeshPeer } from '@tessera/mesh/node'
import type { Swarm as RuntimeSwarm } from '@tessera/runtime'
/** A connection to a swarm over the mesh: what `connect()` returns. */
export type Swarm = RuntimeSwarm<MeshPeer>
export type { SwarmFunction, SwarmStatus, JobSummary, Progress, Settled, Streamed, TaskRef, TaskGraph, WithRefs, ArgsWithRefs, PureOptions, BatchOptions, CallOptions, TaskLog, JobTimes, JobTimesOptions } from '@tessera/runtime'
export type { JobModule, JobContext } from './cli/job-api.ts'
