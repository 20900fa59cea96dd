import type { Executor } from '@tessera/core'
import { startBrowserPeer, type IceOptions, iceOptionsOf, type JoinOptions, type LinkLimits, type MeshPeer } from '@tessera/mesh/browser'
import { assembleSwarm, connectionJobDefaults, type Swarm } from '@tessera/runtime'
import { WebWorkerExecutor } from './web-worker-executor.ts'
import { WorkerClock } from './worker-clock.ts'

/** `iceServers` and `iceTransportPolicy` (`'relay'`: through TURN only) reach every WebRTC link (docs/turn.md). */
export interface ConnectOptions extends IceOptions {
  /**
   * Default `ws://<this page's host name>:8787`. A list names instances that share rooms
   * (docs/deploy-signaling.md): when one goes away the page rejoins through the next.
   */
  readonly signaling?: string | readonly string[]
  /** Default `default`. */
  readonly room?: string
  readonly token?: string
  /** Web Workers that run tasks for the swarm; 0 only submits. Default: one per core, less one. */
  readonly workers?: number
  /** IndexedDB database for documents, cache and blobs; `false` keeps them in memory. Default `tessera`. */
  readonly database?: string | false
  /**
   * Checked results (docs/trust.md): adaptive replication, on by default in
   * public rooms (no token), where every peer is a stranger; off in private
   * rooms, whose members hold the operator's tokens. Each function may say
   * otherwise (`pure(fn, { adaptive, quorum })`).
   */
  readonly adaptive?: boolean
  /** Distinct subjects that must agree on a result this host did not compute: default 2 with adaptive replication, else 1. */
  readonly quorum?: number
  /** Subjects (a token's subject, as `tessera token --subject` names it) or peer ids whose results are taken alone, like this host's own. */
  readonly trust?: readonly string[]
  /**
   * Work from the local cache when the signaling server cannot be reached:
   * `connect()` then resolves after `join.signalingTimeoutMs` with
   * `swarm.peer.joined.online === false` and keeps trying in the background.
   * Without it, an unreachable server is a `SignalingUnreachableError` naming
   * its URL. Default false.
   */
  readonly offline?: boolean
  /**
   * How long `connect()` waits for the signaling server (default 5 s) and then
   * for the swarm document of a peer it found in the room (default 5 s), so
   * that the first call sees the swarm's result cache. `swarm.peer.joined`
   * says what it found: `peersFound` (0: nobody else in the room) and
   * `syncedFrom` (the peer whose document arrived, if any).
   */
  readonly join?: Omit<JoinOptions, 'offline'>
  readonly replication?: {
    readonly maxPeers?: number
    readonly syncIntervalMs?: number
    readonly limits?: Partial<LinkLimits>
  }
  readonly executor?: Executor
  /** How busy `executor` is, 0 to 1, for presence; the built-in pool reports its own. */
  readonly load?: () => number
}

const defaultSignaling = (): string => `ws://${globalThis.location?.hostname || '127.0.0.1'}:8787`

/** Joins a swarm from a web page: the same API as `@tessera/host`. */
export async function connect(options: ConnectOptions = {}): Promise<Swarm<MeshPeer>> {
  const workers = options.workers ?? Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1)
  const room = options.room ?? 'default'
  const peer = await startBrowserPeer({
    signaling: options.signaling ?? defaultSignaling(),
    room,
    workers,
    // One swarm's data per room, so two rooms never mix their documents.
    database: options.database === false ? false : `${options.database ?? 'tessera'}:${room}`,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.replication?.maxPeers === undefined ? {} : { maxPeers: options.replication.maxPeers }),
    ...(options.replication?.syncIntervalMs === undefined ? {} : { syncIntervalMs: options.replication.syncIntervalMs }),
    ...(options.replication?.limits === undefined ? {} : { limits: options.replication.limits }),
    ...iceOptionsOf(options),
  })
  const clock = new WorkerClock()
  // Task time limits run on the worker-driven clock too: a hidden tab's own timers lag.
  await peer.join({ ...options.join, ...(options.offline === undefined ? {} : { offline: options.offline }) })
  const pool = workers > 0 && options.executor === undefined ? new WebWorkerExecutor({ workers, clock }) : undefined
  const executor = workers > 0 ? (options.executor ?? pool) : undefined
  return assembleSwarm({
    peer,
    workers,
    jobDefaults: connectionJobDefaults(options),
    ...(options.trust === undefined ? {} : { trust: options.trust }),
    clock,
    ...(executor === undefined ? {} : { executor }),
    ...(pool === undefined ? (options.load === undefined ? {} : { load: options.load }) : { load: () => pool.busy / Math.max(1, pool.size) }),
    onClose: async () => clock.close(),
  })
}
