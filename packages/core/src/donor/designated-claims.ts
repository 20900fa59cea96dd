import type { JobId, PeerId } from '../ids.ts'
import { selectClaims, type ClaimSelection, type SelectClaimsOptions } from '../scheduler/claims.ts'
import { BACKUP_RANKS, claimWindow, designation, graceFor, nextOpening, stringHash, type Designation, type OpeningTimes } from '../scheduler/designation.ts'
import type { JobView } from '../scheduler/job-view.ts'
import type { TaskId } from '../swarm/schema.ts'

const FORGET_AFTER_MS = 60_000

interface Waiting {
  /** Reports the task had when this peer first saw it wanted: a new report starts a new wait. */
  readonly reports: number
  readonly since: number
}

/**
 * A donor's claims under rendezvous designation (`scheduler/designation.ts`):
 * first only the replicas it is designated for; when none is left, those
 * whose window has opened to its rank, counting each replica's wait from when
 * this peer first saw it wanted. Without `liveDonors`, or for a job that
 * takes one result, every task is this peer's own, as before designation.
 */
export class DesignatedClaims {
  readonly #waiting = new Map<JobId, Map<TaskId, Waiting>>()
  /** When each job was last scanned: the waits of one not scanned for a while are dropped. */
  readonly #used = new Map<JobId, number>()

  constructor(
    private readonly self: PeerId,
    /** Peers with workers, as presence has them. */
    private readonly liveDonors: (() => readonly PeerId[]) | undefined,
    /** The least grace a designee gets: about how often a busy donor claims. */
    private readonly minGraceMs: number,
  ) {}

  /** `selectClaims`, designated replicas first, then those open to this peer's rank; `retryAt` includes when the next one opens. */
  select(view: JobView, options: SelectClaimsOptions): ClaimSelection {
    if (!this.#pairs(view)) return selectClaims(view, options)
    const candidates = this.#candidates(view)
    const own = view.subjectOf(this.self) ?? this.self
    this.#used.set(view.spec.id, options.now)
    for (const [job, at] of this.#used) if (options.now - at > FORGET_AFTER_MS) (this.#used.delete(job), this.#waiting.delete(job))
    const times: OpeningTimes = { graceMs: graceFor(view.reportedDurations(), this.minGraceMs, view.spec.leaseMs), openStepMs: view.spec.leaseMs }
    const waiting = this.#waitingFor(view)
    const skip = options.skip
    // Both passes below may ask about the same task: ranked once per call.
    const ranks = new Map<TaskId, Designation & { since: number }>()
    const rankOf = (task: TaskId): Designation & { since: number } => {
      const known = ranks.get(task)
      if (known !== undefined) return known
      const reports = view.reports(task)
      let wait = waiting.get(task)
      if (wait === undefined || wait.reports !== reports.length) waiting.set(task, (wait = { reports: reports.length, since: options.now }))
      // A lease that lapsed already cost the task a lease: whoever is free takes it over, as before designation.
      const claim = view.claim(task)
      const rank =
        claim !== undefined && !reports.some((report) => report.peer === claim.peer)
          ? { rank: 0, needed: 1, partner: false, since: wait.since }
          : { ...designation(view, task, own, candidates), since: wait.since }
      ranks.set(task, rank)
      return rank
    }
    const designated = selectClaims(view, {
      ...options,
      skip: (task) => {
        if (skip?.(task) === true) return true
        const { rank, needed } = rankOf(task)
        return rank >= needed
      },
    })
    if (designated.decisions.length > 0) return designated
    let opensAt = Number.POSITIVE_INFINITY
    const opened = selectClaims(view, {
      ...options,
      skip: (task) => {
        if (skip?.(task) === true) return true
        const rank = rankOf(task)
        if (rank.rank < claimWindow(rank, options.now - rank.since, times)) return false
        opensAt = Math.min(opensAt, nextOpening(rank, rank.since, options.now, times))
        return true
      },
    })
    // A replica this peer is designated for appears when a report arrives, which no lease says: look again soon.
    const soon = options.now + this.minGraceMs / 4
    return opened.decisions.length > 0 ? opened : { decisions: [], retryAt: Math.min(opened.retryAt, designated.retryAt, opensAt, soon) }
  }

  /**
   * Whether this peer may back up a running straggler of the task: only a
   * designee or a backup rank, or a fast liar idle for want of designated
   * work would take over the replicas its colluder's tasks still want.
   */
  mayBackUp(view: JobView, task: TaskId): boolean {
    if (!this.#pairs(view)) return true
    const { rank, needed, partner } = designation(view, task, view.subjectOf(this.self) ?? this.self, this.#candidates(view))
    return rank < needed + (partner ? 0 : BACKUP_RANKS)
  }

  /**
   * Whether the job pairs replicas, so that who runs them matters: a quorum
   * of 1 without adaptive or judged replication takes any one result, and
   * waiting for designees would only slow it.
   */
  #pairs(view: JobView): boolean {
    return this.liveDonors !== undefined && (view.spec.quorum > 1 || view.spec.replication !== undefined)
  }

  #candidates(view: JobView): Map<string, number> {
    const candidates = new Map<string, number>()
    for (const peer of this.liveDonors?.() ?? []) {
      const subject = view.subjectOf(peer)
      if (subject !== undefined && !candidates.has(subject)) candidates.set(subject, stringHash(subject))
    }
    return candidates
  }

  /** This job's waits, dropping those of tasks no longer open once they outnumber the open ones. */
  #waitingFor(view: JobView & { openCount?: () => number }): Map<TaskId, Waiting> {
    let waiting = this.#waiting.get(view.spec.id)
    if (waiting === undefined) this.#waiting.set(view.spec.id, (waiting = new Map()))
    if (waiting.size > 2 * (view.openCount?.() ?? Number.POSITIVE_INFINITY) + 256) {
      const open = new Set(view.openTasks())
      for (const task of waiting.keys()) if (!open.has(task)) waiting.delete(task)
    }
    return waiting
  }

}
