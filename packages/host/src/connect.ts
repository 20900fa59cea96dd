import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { CompactionSchedule, Executor, Identity } from '@tessera/core'
import { startNodePeer, DEFAULT_DATA_DIR, DEFAULT_ROOM, DEFAULT_SIGNALING_URL, type IceOptions, iceOptionsOf, type JoinOptions, type LinkLimits, type MeshPeer } from '@tessera/mesh/node'
import { assembleSwarm, connectionJobDefaults, type Swarm } from '@tessera/runtime'
import { IsolateExecutor } from './isolate/isolate-executor.ts'
import { loadSandbox } from './isolate/load-sandbox.ts'
import { ThreadExecutor } from './thread-executor.ts'

/** `iceServers` and `iceTransportPolicy` (`'relay'`: through TURN only) reach every WebRTC link (docs/turn.md). */
export interface ConnectOptions extends IceOptions {
  /**
   * Default `ws://127.0.0.1:8787`. A list names instances that share rooms
   * (docs/deploy-signaling.md): when one goes away the peer rejoins through the next.
   */
  readonly signaling?: string | readonly string[]
  /** Default `default`. */
  readonly room?: string
  /** For private rooms: a token from the operator. */
  readonly token?: string
  /**
   * Sandboxed workers (V8 isolates) that run tasks for the swarm; 0 only
   * submits. Default: one per core, less one. A host without the sandbox
   * (isolated-vm did not build) runs only its own jobs, on worker threads.
   */
  readonly workers?: number
  /**
   * Whose tasks the workers run: everyone's in the room (the default, in the
   * sandbox), or only the jobs this connection submits (`own-jobs`, on plain
   * worker threads, since the code is this program's own).
   */
  readonly donate?: 'everyone' | 'own-jobs'
  /** Where documents, the result cache and blobs persist; `false` keeps them in memory. Default `.tessera`. */
  readonly cacheDir?: string | false
  /**
   * Takes part in compacting the swarm's result cache into the cache tree
   * (docs/cache-tree.md), so the swarm document keeps about twice `threshold`
   * entries whatever the swarm's history, and a joining peer downloads that
   * much. On by default for a host that keeps its data on disk (the tree's
   * nodes are values it stores and serves, and they survive its restarts);
   * off by default with `cacheDir: false`. `false` turns it off; an object
   * sets `threshold` (entries, default 1,000), `checkEveryMs`, `staggerMs`,
   * `sealAfterMs` and `keepTrees` (`CacheCompactorOptions`).
   */
  readonly compactCache?: boolean | CompactionSchedule
  /** Keys besides this peer's own that `stopJob` signs with: a job's submitter's, or a room admin's. */
  readonly controlKeys?: readonly Identity[]
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
  /** This peer's key; by default the one kept in the cache dir (or a fresh one without it). */
  readonly identity?: Identity
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
  /**
   * Runs tasks instead of the sandboxed pool (tests, custom sandboxes). It runs
   * every room member's code: pass only an executor that is a real boundary.
   */
  readonly executor?: Executor
}

/**
 * Joins a swarm from Node: `const swarm = await connect()`, then `swarm.pure(fn, { name })`.
 *
 * Donating runs code from anyone in the room, so it runs only inside the donor
 * sandbox: each worker is a V8 isolate (isolated-vm) with no process, files,
 * environment, network or child processes, a fresh hardened global scope per
 * function, and a heap cap (a task over it fails with `TaskMemoryError`). See
 * docs/security/sandbox.md. When isolated-vm is missing or did not
 * build, `connect()` says so on stderr and the host does not donate: it runs
 * only the jobs it submits itself, on worker threads, and other peers help.
 */
export async function connect(options: ConnectOptions = {}): Promise<Swarm<MeshPeer>> {
  const workers = options.workers ?? Math.max(1, availableParallelism() - 1)
  const donate = donationOf(options, workers)
  const cacheDir = options.cacheDir ?? DEFAULT_DATA_DIR
  const peer = await startNodePeer({
    signaling: options.signaling ?? DEFAULT_SIGNALING_URL,
    room: options.room ?? DEFAULT_ROOM,
    // One swarm's data per room, so two rooms never mix their documents.
    dir: cacheDir === false ? false : join(cacheDir, encodeURIComponent(options.room ?? DEFAULT_ROOM)),
    workers,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    ...(options.replication?.maxPeers === undefined ? {} : { maxPeers: options.replication.maxPeers }),
    ...(options.replication?.syncIntervalMs === undefined ? {} : { syncIntervalMs: options.replication.syncIntervalMs }),
    ...(options.replication?.limits === undefined ? {} : { limits: options.replication.limits }),
    ...iceOptionsOf(options),
  })
  await peer.join({ ...options.join, ...(options.offline === undefined ? {} : { offline: options.offline }) })
  const pool = workers > 0 && options.executor === undefined ? (donate === 'own-jobs' ? new ThreadExecutor({ workers }) : new IsolateExecutor({ workers })) : undefined
  const executor = workers > 0 ? (options.executor ?? pool) : undefined
  return assembleSwarm({
    peer,
    workers,
    jobDefaults: connectionJobDefaults(options),
    ...(options.trust === undefined ? {} : { trust: options.trust }),
    donate,
    ...(executor === undefined ? {} : { executor }),
    ...(pool === undefined ? {} : { load: () => pool.busy / Math.max(1, pool.size) }),
    ...(options.controlKeys === undefined ? {} : { controlKeys: options.controlKeys }),
    ...compactionOf(options.compactCache, cacheDir !== false),
  })
}

/** The compactor's options, if this host compacts: by default when it keeps its data on disk. */
export function compactionOf(option: ConnectOptions['compactCache'], onDisk: boolean): { compactCache?: CompactionSchedule } {
  if (option === false || (option === undefined && !onDisk)) return {}
  return { compactCache: option === true || option === undefined ? {} : option }
}

/** Whose tasks this host runs: strangers' only inside the sandbox, unless the caller brings an executor. */
function donationOf(options: ConnectOptions, workers: number): 'everyone' | 'own-jobs' {
  if (options.donate === 'own-jobs' || workers === 0 || options.executor !== undefined) return options.donate ?? 'everyone'
  const sandbox = loadSandbox()
  if (sandbox.available) return 'everyone'
  process.emitWarning(
    `this host does not donate: the donor sandbox (isolated-vm) is not available (${sandbox.reason}). ` +
      'Tasks from other peers would run with full access to this machine, so it runs only its own jobs, on worker threads. ' +
      'Reinstall with a C++ toolchain (npm ci builds isolated-vm with node-gyp) to donate.',
    { code: 'TESSERA_NO_SANDBOX' },
  )
  return 'own-jobs'
}
