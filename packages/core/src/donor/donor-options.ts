import type { JobId, PeerId } from '../ids.ts'
import type { Identity } from '../identity/identity.ts'
import type { Executor } from '../interfaces/executor.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import type { ValueStore } from '../swarm/value-store.ts'
import type { Clock } from '../clock.ts'

export interface DonorOptions {
  /** Whose key signs this donor's reports; its id is the donor's peer id. */
  readonly identity: Identity
  readonly swarm: SwarmDoc
  readonly values: ValueStore
  readonly executor: Executor
  /** The open jobs whose documents this peer holds. */
  readonly jobs: (id: JobId) => JobIndex | undefined
  readonly clock: Clock
  /** How many tasks run at once. */
  readonly workers?: number
  /** Peers sharing the work, for fair batch sizes. */
  readonly peerCount?: () => number
  /** Live peers with workers (this one among them): replicas are designated among their subjects (`donor/designated-claims.ts`). */
  readonly liveDonors?: () => readonly PeerId[]
  /** A number in [0, 1): where in the queue to start claiming. Seeded in the simulator. */
  readonly random?: () => number
  readonly tickMs?: number
  /** How long to wait after claiming before trusting that the claim held. */
  readonly settleMs?: number
  /** How long one claimed batch should keep this peer busy. */
  readonly targetBatchMs?: number
  /** Finished runs are reported together, at most this long after the first of them. */
  readonly reportFlushMs?: number
  readonly clockSkewMs?: number
  /** Where failures of the donor's own bookkeeping go (a store that refuses a result, say). */
  readonly onError?: (error: unknown) => void
}

type Tunables = 'workers' | 'tickMs' | 'settleMs' | 'targetBatchMs' | 'reportFlushMs' | 'clockSkewMs'

export const DONOR_DEFAULTS: Required<Pick<DonorOptions, Tunables>> = {
  workers: 1,
  tickMs: 50,
  settleMs: 150,
  targetBatchMs: 1_000,
  reportFlushMs: 250,
  clockSkewMs: 0,
}
