import { systemClock, type Clock } from '../clock.ts'
import { Donor } from '../donor/donor.ts'
import type { DonorOptions } from '../donor/donor-options.ts'
import type { Executor } from '../interfaces/executor.ts'
import type { JobSpec } from '../swarm/schema.ts'
import type { JobTracker } from './job-tracker.ts'
import type { PeerPort } from './peer-port.ts'

export interface StartDonorOptions {
  readonly executor: Executor
  readonly workers: number
  readonly clock?: Clock
  /** Seeded in the simulator. */
  readonly random?: () => number
  /** Which open jobs this donor works on; every admitted job by default. */
  readonly acceptJob?: (spec: JobSpec) => boolean
  /** Tunables (tick, settle window, batch target), for tests and the simulator. */
  readonly settings?: Partial<Omit<DonorOptions, 'identity' | 'swarm' | 'values' | 'executor' | 'jobs' | 'clock' | 'workers'>>
}

/**
 * Puts a peer to work: a donor over the jobs its tracker opens, sized to its
 * workers and to the peers that share the work, announced in presence.
 */
export function startDonor(peer: PeerPort, tracker: JobTracker, options: StartDonorOptions): Donor {
  const donor = new Donor({
    identity: peer.identity,
    swarm: peer.swarm,
    values: peer.values,
    executor: options.executor,
    jobs: (id) => {
      const index = tracker.get(id)
      return index !== undefined && (options.acceptJob?.(index.spec) ?? true) ? index : undefined
    },
    clock: options.clock ?? systemClock,
    workers: options.workers,
    peerCount: () => peer.presence.list().filter((p) => p.workers > 0).length || 1,
    liveDonors: () => peer.presence.list().flatMap((p) => (p.workers > 0 ? [p.peer] : [])),
    ...(options.random === undefined ? {} : { random: options.random }),
    ...options.settings,
  })
  donor.start()
  peer.presence.update({ workers: options.workers })
  return donor
}
