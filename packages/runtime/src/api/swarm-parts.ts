import type { Address, Clock, Donor, Executor, Identity, JobId, JobOptions, JobTracker, PeerPort, Referee, SubmitterTrust } from '@tessera/core'

/** What a swarm connection is put together from; only the parts differ between Node, pages and the simulator. */
export interface SwarmParts<P extends PeerPort = PeerPort> {
  readonly peer: P
  readonly tracker: JobTracker
  /** Whose results this connection takes alone, and the trust other subjects have earned (adaptive replication). */
  readonly trust: SubmitterTrust
  /** Judges this connection's jobs that ask for verdicts (adaptive replication, `compare`). */
  readonly referee?: Referee
  /** Options every function of this connection starts from (`connect({ replication })`): its own options override them. */
  readonly jobDefaults?: JobOptions
  readonly clock: Clock
  /** This peer's workers; absent for a host that only submits. */
  readonly executor?: Executor
  readonly donor?: Donor
  /** Arguments over this many encoded bytes are refused before anything is queued. */
  readonly maxValueBytes: number
  /** The jobs this connection published, with their function: a donor of `own-jobs` works on these alone. */
  readonly launchedHere?: Map<JobId, Address>
  /** Jobs this connection published with `.remote()`: its own donor leaves them to other peers. */
  readonly runElsewhere?: Set<JobId>
  /** Workers of this connection's own donor (none without one), whoever they run for. */
  readonly ownWorkers?: number
  /** A batch of more uncached calls is published as several jobs (`MAX_TASKS_PER_JOB` by default). */
  readonly maxTasksPerJob?: number
  /** Ids for new jobs; random by default, seeded in the simulator. */
  readonly newJobId?: () => JobId
  /** Keys besides the peer's own whose jobs this connection may cancel and stop (`tessera stop` signs with the stored key of the host that submitted). */
  readonly controlKeys?: readonly Identity[]
  readonly onClose?: () => Promise<void>
}
