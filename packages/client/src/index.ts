/**
 * @packageDocumentation
 * `@tessera/client`: Tessera from a web page.
 *
 * - `donate()` lends the tab's spare CPU to a swarm: task code runs in
 *   `SandboxedExecutor` workers, inside a sandboxed frame with an opaque origin
 *   and no network, and the handle pauses, resumes, resizes and reports.
 *   `./embed` is the one-line `<script>` that does the same on any page.
 * - `connect()` joins a swarm, donates through Web Workers unless `workers: 0`,
 *   and hands out the same swarm API as `@tessera/host`. It runs tasks in the
 *   page's own workers unless given `executor: new SandboxedExecutor()`.
 */
export { connect, type ConnectOptions } from './connect.ts'
export { WebWorkerExecutor, defaultWebWorkerCount, type WebWorkerExecutorOptions } from './web-worker-executor.ts'
export { WorkerClock } from './worker-clock.ts'
import type { MeshPeer } from '@tessera/mesh/browser'
import type { Swarm as RuntimeSwarm } from '@tessera/runtime'
/** A connection to a swarm over the mesh: what `connect()` returns. */
export type Swarm = RuntimeSwarm<MeshPeer>
export type { SwarmFunction, SwarmStatus, JobSummary, Progress, Settled, Streamed, TaskRef, TaskGraph, WithRefs, ArgsWithRefs, PureOptions, BatchOptions, CallOptions } from '@tessera/runtime'
export { SandboxedExecutor, type SandboxedExecutorOptions } from './sandbox/sandboxed-executor.ts'
export { SandboxFrame } from './sandbox/sandbox-frame.ts'
export type { WorkerCode } from './sandbox/protocol.ts'
export { donate, sameOriginSignaling, type DonateOptions } from './donate/donate.ts'
export { Donation } from './donate/donation.ts'
export type { DonationState, DonationStats, DonationEvents, RoomPeer } from './donate/types.ts'
export type { VisibilitySource } from './donate/visibility.ts'
