import { timeBreakdown } from '@tessera/bigmatrix'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { ChildScript } from '../lib/child.ts'
import { BENCH_REPLICATION, freshRoom } from '../lib/swarm-fixture.ts'
import { waitUntil } from '../lib/stats.ts'

export interface DonorStats {
  readonly computeMs: number
  readonly movingMs: number
  readonly cpuMs: number
  readonly runs: number
  readonly localBytes: number
  readonly remoteBytes: number
}

/** Where the donors' time went during one timed run. */
export interface Breakdown {
  readonly wallMs: number
  /** Donors × wall: the time the donors had. */
  readonly capacityMs: number
  readonly computeMs: number
  readonly movingMs: number
  /** The rest: scheduling, settle windows, waits between waves, stragglers. */
  readonly waitingMs: number
  readonly tasks: number
  /** Tasks each donor ran: a lopsided split shows as waiting. */
  readonly tasksPerDonor: readonly number[]
  /** CPU time the donor processes got, all threads (the workers and the main threads that fetch, hash and decode). */
  readonly cpuMs: number
  /** Block bytes the donors read from their own stores, and fetched from other peers. */
  readonly localBytes: number
  readonly remoteBytes: number
  /** Each donor's own meters (compute, moving, CPU, runs, bytes local and fetched): where one donor's time went. */
  readonly perDonor: readonly DonorStats[]
}

/** A signaling server, two donor processes with one worker thread each, and a host here that only submits. */
export class BenchSwarm {
  private constructor(
    readonly signaling: SignalingServer,
    readonly donors: readonly ChildScript[],
    readonly host: Swarm,
  ) {}

  static async start(donorCount: number): Promise<BenchSwarm> {
    const signaling = await startSignalingServer({ port: 0 })
    const room = freshRoom('bigmatrix')
    // TESSERA_BENCH_DONOR_PROFILES=dir: each donor process writes V8 CPU profiles there as it exits, one per thread.
    const profiles = process.env.TESSERA_BENCH_DONOR_PROFILES
    const flags = profiles === undefined || profiles === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profiles}`]
    const donors = Array.from({ length: donorCount }, () => ChildScript.startWith(flags, 'bigmatrix/donor.ts', [signaling.url, room]))
    await Promise.all(donors.map((d) => d.next(60_000)))
    // TESSERA_BENCH_BIGMATRIX_QUORUM=1: jobs that take one result, as in a private room; by default the room is public (adaptive replication).
    const quorum = Number(process.env.TESSERA_BENCH_BIGMATRIX_QUORUM ?? Number.NaN)
    const host = await connect({ signaling: signaling.url, room, workers: 0, cacheDir: false, replication: BENCH_REPLICATION, ...(quorum >= 1 ? { quorum } : {}) })
    await waitUntil('the donors to link and announce their workers', () => host.peer.mesh.openPeers().length === donorCount && host.status().workers === donorCount, 60_000, 50)
    return new BenchSwarm(signaling, donors, host)
  }

  /** Runs `body` timed, with the donors' counters reset before and read after. */
  async timed<T>(body: () => Promise<T>): Promise<{ result: T; breakdown: Breakdown }> {
    await this.#stats()
    const started = performance.now()
    const result = await body()
    const wallMs = performance.now() - started
    const stats = await this.#stats()
    const computeMs = stats.reduce((s, d) => s + d.computeMs, 0)
    const movingMs = stats.reduce((s, d) => s + d.movingMs, 0)
    // The same split as `timeOnDonors` in @tessera/bigmatrix, from the donors' own meters instead of their reports.
    const { capacityMs, waitingMs } = timeBreakdown({ wallMs, workers: this.donors.length, computeMs, movingMs })
    return {
      result,
      breakdown: {
        wallMs,
        capacityMs,
        computeMs,
        movingMs,
        waitingMs,
        tasks: stats.reduce((s, d) => s + d.runs, 0),
        tasksPerDonor: stats.map((d) => d.runs),
        cpuMs: stats.reduce((s, d) => s + d.cpuMs, 0),
        localBytes: stats.reduce((s, d) => s + d.localBytes, 0),
        remoteBytes: stats.reduce((s, d) => s + d.remoteBytes, 0),
        perDonor: stats,
      },
    }
  }

  async #stats(): Promise<DonorStats[]> {
    return Promise.all(this.donors.map((d) => d.ask<DonorStats>('stats')))
  }

  async close(): Promise<void> {
    await this.host.close()
    await Promise.all(this.donors.map((d) => d.stop()))
    await this.signaling.close()
  }
}
