import { CacheCompactor, DEFAULT_MAX_BLOB_BYTES, JobTracker, type CompactionSchedule, Referee, startDonor, SubmitterTrust, systemClock, type Address, type Clock, type Executor, type Identity, type JobId, type JobOptions, type PeerId, type PeerPort } from '@tessera/core'
import { Swarm } from './api/swarm.ts'

export interface AssembleOptions<P extends PeerPort> {
  readonly peer: P
  /** Runs this peer's share of the work; absent (or 0 workers) for a host that only submits. */
  readonly executor?: Executor
  readonly workers: number
  /**
   * Whose jobs the workers run: `everyone`'s in the room (the default), or only
   * the jobs this connection published (`own-jobs`), for an executor that is no
   * boundary against strangers' code. An own-jobs peer announces no workers.
   */
  readonly donate?: 'everyone' | 'own-jobs'
  /** How busy the executor is, 0 to 1, for presence. */
  readonly load?: () => number
  /** Browsers pass a clock driven from a worker: hidden tabs throttle their own timers. The simulator passes virtual time. */
  readonly clock?: Clock
  /** Seeded in the simulator. */
  readonly random?: () => number
  readonly newJobId?: () => JobId
  readonly maxValueBytes?: number
  /** Tasks per job when a batch is cut into several (`MAX_TASKS_PER_JOB`). */
  readonly maxTasksPerJob?: number
  /** Keys besides the peer's own whose jobs this connection may cancel and stop. */
  readonly controlKeys?: readonly Identity[]
  /** Options every function starts from: `connect()` turns adaptive replication on in public rooms. */
  readonly jobDefaults?: JobOptions
  /** Subjects or peer ids whose results this connection takes alone, like its own. */
  readonly trust?: readonly string[]
  /** Takes part in compacting the swarm's cache into the cache tree (docs/cache-tree.md); off when absent. */
  readonly compactCache?: CompactionSchedule
  readonly onClose?: () => Promise<void>
}

/** Spot checks must surprise a liar: a draw it cannot predict, unless the simulator seeds one. */
function unpredictable(): number {
  const words = new Uint32Array(2)
  globalThis.crypto.getRandomValues(words)
  return (words[0]! * 2 ** 21 + (words[1]! >>> 11)) / 2 ** 53
}

/** How often this peer's load and cache use are published in presence. */
const PRESENCE_REFRESH_MS = 1_000

/** Puts a swarm connection together from a started peer and its environment's executor. */
export function assembleSwarm<P extends PeerPort>(options: AssembleOptions<P>): Swarm<P> {
  const { peer, executor, workers } = options
  const clock = options.clock ?? systemClock
  const tracker = new JobTracker(peer, { clock })
  const trust = new SubmitterTrust(peer.id, tracker.subjects, options.trust === undefined ? {} : { trust: options.trust })
  const referee = new Referee({
    identity: peer.identity,
    swarm: peer.swarm,
    values: peer.values,
    trust,
    clock,
    random: options.random ?? unpredictable,
    onLiar: (liar, reason) => peer.ban?.(liar, reason),
  })
  tracker.onOpen((index) => referee.watch(index))
  const subjectOf = (signer: PeerId): string | undefined => tracker.subjects.subjectOf(signer)
  peer.values.compacted.weighSubjectsBy(subjectOf)
  const compactor =
    options.compactCache === undefined ? undefined : new CacheCompactor(peer.swarm, peer.values, { self: peer.id, clock, subjectOf, onError: (error) => console.warn('cache compaction failed:', error), ...options.compactCache })
  const launchedHere = new Map<JobId, Address>()
  const runElsewhere = new Set<JobId>()
  const ownJobsOnly = options.donate === 'own-jobs'
  const donor =
    executor !== undefined && workers > 0
      ? startDonor(peer, tracker, {
          executor,
          workers,
          clock,
          ...(options.random === undefined ? {} : { random: options.random }),
          // `.remote()` jobs are for other peers. Own-jobs: the spec as this peer opened it must name
          // the function it published, since an entry rewritten by a stranger is not ours.
          acceptJob: (spec) => !runElsewhere.has(spec.id) && (!ownJobsOnly || launchedHere.get(spec.id) === spec.fn),
        })
      : undefined
  if (donor === undefined || ownJobsOnly) peer.presence.update({ workers: 0 })
  let swarm: Swarm<P> | undefined
  let closed = false
  let timer: unknown
  const refreshPresence = (): void => {
    // The peer closes before onClose stops this: a closed peer takes no updates.
    if (closed || peer.closed) return
    const load = options.load?.() ?? 0
    const own = peer.presence.list()[0]
    if (Math.abs(load - (own?.load ?? 0)) >= 0.1) peer.presence.update({ load })
    // The cache's hit rate across the swarm is the sum of what every peer publishes.
    const use = swarm?.cacheUse
    if (use !== undefined && use.lookups !== (own?.cacheLookups ?? 0)) peer.presence.update({ cacheLookups: use.lookups, cacheHits: use.hits })
    timer = clock.setTimeout(refreshPresence, PRESENCE_REFRESH_MS)
  }
  timer = clock.setTimeout(refreshPresence, PRESENCE_REFRESH_MS)
  swarm = new Swarm<P>({
    peer,
    tracker,
    trust,
    referee,
    ...(options.jobDefaults === undefined ? {} : { jobDefaults: options.jobDefaults }),
    clock,
    ...(executor === undefined || donor === undefined ? {} : { executor, donor }),
    maxValueBytes: options.maxValueBytes ?? DEFAULT_MAX_BLOB_BYTES,
    launchedHere,
    runElsewhere,
    ownWorkers: donor === undefined ? 0 : workers,
    ...(options.newJobId === undefined ? {} : { newJobId: options.newJobId }),
    ...(options.maxTasksPerJob === undefined ? {} : { maxTasksPerJob: options.maxTasksPerJob }),
    ...(options.controlKeys === undefined ? {} : { controlKeys: options.controlKeys }),
    onClose: async () => {
      closed = true
      clock.clearTimeout(timer)
      compactor?.stop()
      referee.close()
      await options.onClose?.()
    },
  })
  return swarm
}
