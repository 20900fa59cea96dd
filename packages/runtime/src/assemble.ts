import { DEFAULT_MAX_BLOB_BYTES, Donor, systemClock, type Clock, type Executor } from '@tessera/core'
import type { MeshPeer } from '@tessera/mesh'
import { Swarm } from './api/swarm.ts'
import { JobTracker } from './job-tracker.ts'

export interface AssembleOptions {
  readonly peer: MeshPeer
  /** Runs this peer's share of the work; absent (or 0 workers) for a host that only submits. */
  readonly executor?: Executor
  readonly workers: number
  /** How busy the executor is, 0 to 1, for presence. */
  readonly load?: () => number
  /** Browsers pass a clock driven from a worker: hidden tabs throttle their own timers. */
  readonly clock?: Clock
  readonly maxValueBytes?: number
  readonly onClose?: () => Promise<void>
}

/** Puts a swarm connection together from a started peer and its environment's executor. */
export function assembleSwarm(options: AssembleOptions): Swarm {
  const { peer, executor, workers } = options
  const tracker = new JobTracker(peer)
  const donor =
    executor !== undefined && workers > 0
      ? new Donor({
          self: peer.id,
          swarm: peer.swarm,
          values: peer.values,
          executor,
          jobs: (id) => tracker.get(id),
          clock: options.clock ?? systemClock,
          workers,
          peerCount: () => peer.presence.list().filter((p) => p.workers > 0).length || 1,
        })
      : undefined
  donor?.start()
  peer.presence.update({ workers: donor === undefined ? 0 : workers })
  let swarm: Swarm | undefined
  const presenceTimer = setInterval(() => {
    // The peer closes before onClose clears this timer: a closed mesh takes no updates.
    if (peer.mesh.closed) return
    const load = options.load?.() ?? 0
    const own = peer.presence.list()[0]
    if (Math.abs(load - (own?.load ?? 0)) >= 0.1) peer.presence.update({ load })
    // The cache's hit rate across the swarm is the sum of what every peer publishes.
    const use = swarm?.cacheUse
    if (use !== undefined && use.lookups !== (own?.cacheLookups ?? 0)) peer.presence.update({ cacheLookups: use.lookups, cacheHits: use.hits })
  }, 1_000)
  swarm = new Swarm({
    peer,
    tracker,
    ...(executor === undefined || donor === undefined ? {} : { executor, donor }),
    maxValueBytes: options.maxValueBytes ?? DEFAULT_MAX_BLOB_BYTES,
    onClose: async () => {
      clearInterval(presenceTimer)
      await options.onClose?.()
    },
  })
  return swarm
}
