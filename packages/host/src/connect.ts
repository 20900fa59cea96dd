import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { Executor } from '@tessera/core'
import { startNodePeer, DEFAULT_DATA_DIR, DEFAULT_ROOM, DEFAULT_SIGNALING_URL, type LinkLimits, type MeshPeer } from '@tessera/mesh/node'
import { assembleSwarm, type Swarm } from '@tessera/runtime'
import { ThreadExecutor } from './thread-executor.ts'

export interface ConnectOptions {
  /** Default `ws://127.0.0.1:8787`. */
  readonly signaling?: string
  /** Default `default`. */
  readonly room?: string
  /** For private rooms: a token from the operator. */
  readonly token?: string
  /** Worker threads that run tasks for the swarm; 0 only submits. Default: one per core, less one. */
  readonly workers?: number
  /** Where documents, the result cache and blobs persist; `false` keeps them in memory. Default `.tessera`. */
  readonly cacheDir?: string | false
  readonly replication?: {
    readonly maxPeers?: number
    readonly syncIntervalMs?: number
    readonly limits?: Partial<LinkLimits>
  }
  /** Runs tasks instead of the worker-thread pool (tests, custom sandboxes). */
  readonly executor?: Executor
}

/** Joins a swarm from Node: `const swarm = await connect()`, then `swarm.pure(fn, { name })`. */
export async function connect(options: ConnectOptions = {}): Promise<Swarm<MeshPeer>> {
  const workers = options.workers ?? Math.max(1, availableParallelism() - 1)
  const cacheDir = options.cacheDir ?? DEFAULT_DATA_DIR
  const peer = await startNodePeer({
    signaling: options.signaling ?? DEFAULT_SIGNALING_URL,
    room: options.room ?? DEFAULT_ROOM,
    // One swarm's data per room, so two rooms never mix their documents.
    dir: cacheDir === false ? false : join(cacheDir, encodeURIComponent(options.room ?? DEFAULT_ROOM)),
    workers,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.replication?.maxPeers === undefined ? {} : { maxPeers: options.replication.maxPeers }),
    ...(options.replication?.syncIntervalMs === undefined ? {} : { syncIntervalMs: options.replication.syncIntervalMs }),
    ...(options.replication?.limits === undefined ? {} : { limits: options.replication.limits }),
  })
  const pool = workers > 0 && options.executor === undefined ? new ThreadExecutor({ workers }) : undefined
  const executor = workers > 0 ? (options.executor ?? pool) : undefined
  return assembleSwarm({
    peer,
    workers,
    ...(executor === undefined ? {} : { executor }),
    ...(pool === undefined ? {} : { load: () => pool.busy / Math.max(1, pool.size) }),
  })
}
