import type { Swarm } from '@tessera/runtime'

/** Where the donors' time went while an algorithm ran: the split the bench reports, and `examples/matmul.ts` prints. */
export interface TimeBreakdown {
  readonly wallMs: number
  /** Donor workers × wall: the time the donors had. */
  readonly capacityMs: number
  /** Tasks running on the workers (handing the blocks to the worker thread included). */
  readonly computeMs: number
  /** Workers idle while the blocks their next task needs arrive: fetch from a peer, hash check, decoding. */
  readonly movingMs: number
  /** The rest: scheduling, settle windows, the critical path, stragglers, other processes on the cores. */
  readonly waitingMs: number
  /** Each part as a share of `capacityMs`. */
  readonly shares: { readonly compute: number; readonly moving: number; readonly waiting: number }
}

/** Splits `workers` × `wallMs` into computing, moving blocks, and the rest. */
export function timeBreakdown({ wallMs, workers, computeMs, movingMs }: { wallMs: number; workers: number; computeMs: number; movingMs: number }): TimeBreakdown {
  const capacityMs = wallMs * workers
  const waitingMs = Math.max(0, capacityMs - computeMs - movingMs)
  const share = (part: number): number => (capacityMs > 0 ? part / capacityMs : 0)
  return { wallMs, capacityMs, computeMs, movingMs, waitingMs, shares: { compute: share(computeMs), moving: share(movingMs), waiting: share(waitingMs) } }
}

/** A breakdown measured on a swarm, with the runs it counted and the peers that ran them. */
export interface SwarmBreakdown extends TimeBreakdown {
  /** Runs reported (k per task with replication k), and per donor peer. */
  readonly runs: number
  readonly runsByPeer: Readonly<Record<string, number>>
}

/**
 * Runs `body` (a multiply, a factorization) timed, and splits the donors' time
 * over it from the reports of the jobs this peer submitted meanwhile, as the
 * donors wrote them (`swarm.jobTimes`): each run's compute time, and how long
 * its worker waited for its blocks. The donors' capacity is the swarm's
 * workers when `body` starts, times the wall time.
 */
export async function timeOnDonors<T>(swarm: Swarm, body: () => Promise<T>): Promise<{ readonly result: T; readonly breakdown: SwarmBreakdown }> {
  const mine = (): string[] =>
    swarm
      .jobs({ limit: 100_000 })
      .filter((job) => job.submittedBy === swarm.peer.id)
      .map((job) => job.id)
  const before = new Set(mine())
  const { workers } = swarm.status()
  const started = performance.now()
  const result = await body()
  const wallMs = performance.now() - started
  const times = await swarm.jobTimes(mine().filter((id) => !before.has(id)))
  return { result, breakdown: { ...timeBreakdown({ wallMs, workers, computeMs: times.computeMs, movingMs: times.fetchMs }), runs: times.runs, runsByPeer: times.runsByPeer } }
}
