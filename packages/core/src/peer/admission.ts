import type { JobId, PeerId } from '../ids.ts'
import type { JobEntry } from '../swarm/schema.ts'
import type { RosterPort } from './roster.ts'

/**
 * How much open work one submitter may make every peer hold. A job outside
 * its quota is never opened here: its document (its tasks, and the claims and
 * reports on them) is not fetched, kept or worked on, so a stranger's flood of
 * jobs costs this peer only their entries in the swarm document.
 *
 * A job's `submittedBy` is whatever its writer put there, so quotas are not
 * counted by it alone (issue 14's signed identities will make it a subject):
 * - a submitter the signaling server vouches for (`RosterPort`: bound to a live
 *   connection there) is counted as that connection, and with every other
 *   connection from its address (`addressMultiple` times one quota);
 * - every submitter nobody vouches for (an invented name, or a peer that has
 *   left) shares one quota: inventing names buys nothing.
 */
export interface AdmissionQuota {
  /** Open jobs per submitter. */
  readonly maxOpenJobs: number
  /** Tasks across a submitter's open jobs; a larger job is never admitted. */
  readonly maxOpenTasks: number
  /**
   * Memory a submitter's open job documents may take on a peer that holds
   * them, estimated from their task counts (`ESTIMATED_BYTES_PER_TASK`; a
   * task's record, claim and report are capped in size by `swarm/records.ts`).
   */
  readonly maxOpenBytes: number
  /** Connections from one address share this many times one submitter's quota (4 by default). */
  readonly addressMultiple?: number
}

/**
 * At most what one task costs in the heap of a peer that holds its job's
 * document, once it has its claim and report: 3,692 B measured with 1 KiB of
 * inline arguments, the most a task record carries (2,482 B with a few bytes;
 * 812 B before anyone works on it).
 */
export const ESTIMATED_BYTES_PER_TASK = 3_700

/**
 * A stranger's open jobs cost a peer at most 44 MiB of job documents (about
 * 12,500 tasks: two or three of the jobs a large batch is cut into), and with
 * the jobs it finished in the last second (`DROP_FINISHED_AFTER_MS`) under 50
 * MB; one address's connections four times that.
 */
export const DEFAULT_ADMISSION: AdmissionQuota = {
  maxOpenJobs: 256,
  maxOpenTasks: 100_000,
  maxOpenBytes: 44 * 1024 * 1024,
  addressMultiple: 4,
}

/** Admission as a peer applies it: a quota, or none at all (private rooms, where every peer holds a token). */
export type AdmissionPolicy = AdmissionQuota | 'unlimited'

/** The bucket every submitter nobody vouches for falls into. */
const UNVOUCHED = 'unvouched'

interface Usage {
  jobs: number
  tasks: number
}

function fits(used: Usage | undefined, job: JobEntry, quota: AdmissionQuota, multiple: number): boolean {
  const tasks = (used?.tasks ?? 0) + job.taskCount
  return (used?.jobs ?? 0) < quota.maxOpenJobs * multiple && tasks <= quota.maxOpenTasks * multiple && tasks * ESTIMATED_BYTES_PER_TASK <= quota.maxOpenBytes * multiple
}

function charge(usage: Map<string, Usage>, key: string, job: JobEntry): void {
  const used = usage.get(key)
  if (used === undefined) usage.set(key, { jobs: 1, tasks: job.taskCount })
  else {
    used.jobs++
    used.tasks += job.taskCount
  }
}

/** Oldest first, by creation time and then id, so every peer decides alike. */
function olderFirst(a: JobEntry, b: JobEntry): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/**
 * Which of one group's open jobs are admitted: those this peer already holds
 * first (they are in its memory whatever is decided, so they count first),
 * then the oldest, as long as each fits both its submitter's quota
 * (`submitterOf`) and the group's (`multiple` times one quota). A job that
 * does not fit is skipped, and a smaller later one may still fit. `jobs` must
 * be sorted oldest first.
 */
function admitGroup(
  jobs: readonly JobEntry[],
  submitterOf: (job: JobEntry) => string,
  quota: AdmissionQuota,
  multiple: number,
  held: ReadonlySet<JobId> = new Set(),
): Set<JobId> {
  const admitted = new Set<JobId>()
  const bySubmitter = new Map<string, Usage>()
  const group: Usage = { jobs: 0, tasks: 0 }
  const admit = (job: JobEntry): void => {
    admitted.add(job.id)
    charge(bySubmitter, submitterOf(job), job)
    group.jobs++
    group.tasks += job.taskCount
  }
  if (held.size > 0) for (const job of jobs) if (held.has(job.id)) admit(job)
  for (const job of jobs) {
    if (group.jobs >= quota.maxOpenJobs * multiple) break
    if (admitted.has(job.id)) continue
    if (!fits(bySubmitter.get(submitterOf(job)), job, quota, 1) || !fits(group, job, quota, multiple)) continue
    admit(job)
  }
  return admitted
}

/** Which of one submitter's open jobs are admitted: the oldest first, as long as they fit its quota. */
export function admittedJobs(openJobs: readonly JobEntry[], quota: AdmissionQuota): Set<JobId> {
  return admitGroup([...openJobs].sort(olderFirst), () => 'one', quota, 1)
}

/**
 * Admission over the whole swarm document. Open jobs are kept in groups (one
 * per vouched address, and one for everyone unvouched), each sorted oldest
 * first; a change recomputes only the groups it touches, and reports only the
 * jobs whose admission changed.
 */
export class AdmissionBook {
  readonly #entries = new Map<JobId, JobEntry>()
  readonly #groupOf = new Map<JobId, string>()
  readonly #groups = new Map<string, JobEntry[]>()
  readonly #jobsBy = new Map<PeerId, Set<JobId>>()
  readonly #admitted = new Set<JobId>()
  /** Jobs whose documents this peer holds open now. */
  readonly #held = new Set<JobId>()

  constructor(
    private readonly policy: AdmissionPolicy,
    /** Jobs this peer submitted itself are always admitted: a peer can only flood itself. */
    private readonly self: PeerId,
    private readonly roster: RosterPort,
  ) {}

  /** Whether `id` may be opened here (it must also be open). */
  admits(id: JobId): boolean {
    return this.policy === 'unlimited' || this.#admitted.has(id)
  }

  /** The job's document is open here now: it counts first against its group's quota. */
  hold(id: JobId): void {
    this.#held.add(id)
  }

  /** The job's document was dropped here. */
  release(id: JobId): void {
    this.#held.delete(id)
  }

  /**
   * Records what the swarm document now says about these jobs (`undefined`:
   * gone, finished or malformed) and returns the other jobs whose admission
   * changed as a consequence.
   */
  refresh(changes: Iterable<[JobId, JobEntry | undefined]>): JobId[] {
    if (this.policy === 'unlimited') return []
    const touched = new Set<string>()
    for (const [id, entry] of changes) {
      this.#remove(id, touched)
      if (entry?.state === 'open') this.#add(entry, touched)
      else this.#admitted.delete(id)
    }
    return this.#recompute(touched)
  }

  /** The rendezvous changed what it says about these peers: their jobs may move between groups. */
  rosterChanged(peers: readonly PeerId[]): JobId[] {
    if (this.policy === 'unlimited') return []
    const touched = new Set<string>()
    for (const peer of peers) {
      for (const id of [...(this.#jobsBy.get(peer) ?? [])]) {
        const entry = this.#entries.get(id)
        if (entry === undefined) continue
        this.#remove(id, touched)
        this.#add(entry, touched)
      }
    }
    return this.#recompute(touched)
  }

  #bucketOf(submitter: PeerId): { group: string; submitter: string } {
    const origin = this.roster.originOf(submitter)
    return origin === undefined ? { group: UNVOUCHED, submitter: UNVOUCHED } : { group: `origin:${origin}`, submitter: `peer:${submitter}` }
  }

  #add(entry: JobEntry, touched: Set<string>): void {
    this.#entries.set(entry.id, entry)
    const mine = this.#jobsBy.get(entry.submittedBy) ?? new Set<JobId>()
    mine.add(entry.id)
    this.#jobsBy.set(entry.submittedBy, mine)
    if (entry.submittedBy === this.self) {
      this.#admitted.add(entry.id)
      return
    }
    const group = this.#bucketOf(entry.submittedBy).group
    const jobs = this.#groups.get(group) ?? []
    jobs.splice(insertionPoint(jobs, entry), 0, entry)
    this.#groups.set(group, jobs)
    this.#groupOf.set(entry.id, group)
    touched.add(group)
  }

  #remove(id: JobId, touched: Set<string>): void {
    const entry = this.#entries.get(id)
    if (entry === undefined) return
    // Whether it stays admitted is for the caller (gone) or the recomputation (moved) to say.
    this.#entries.delete(id)
    const mine = this.#jobsBy.get(entry.submittedBy)
    mine?.delete(id)
    if (mine?.size === 0) this.#jobsBy.delete(entry.submittedBy)
    const group = this.#groupOf.get(id)
    if (group === undefined) return
    this.#groupOf.delete(id)
    const jobs = this.#groups.get(group) ?? []
    const at = insertionPoint(jobs, entry)
    if (jobs[at]?.id === id) jobs.splice(at, 1)
    if (jobs.length === 0) this.#groups.delete(group)
    touched.add(group)
  }

  #recompute(groups: Set<string>): JobId[] {
    if (this.policy === 'unlimited') return []
    const quota = this.policy
    const changed: JobId[] = []
    for (const group of groups) {
      const jobs = this.#groups.get(group) ?? []
      const multiple = group === UNVOUCHED ? 1 : (quota.addressMultiple ?? 4)
      const admitted = admitGroup(jobs, (job) => this.#bucketOf(job.submittedBy).submitter, quota, multiple, this.#held)
      for (const job of jobs) {
        if (admitted.has(job.id) === this.#admitted.has(job.id)) continue
        if (admitted.has(job.id)) this.#admitted.add(job.id)
        else this.#admitted.delete(job.id)
        changed.push(job.id)
      }
    }
    return changed
  }
}

/** Where `entry` goes (or is) in `jobs`, sorted oldest first. */
function insertionPoint(jobs: readonly JobEntry[], entry: JobEntry): number {
  let low = 0
  let high = jobs.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (olderFirst(jobs[mid] as JobEntry, entry) < 0) low = mid + 1
    else high = mid
  }
  return low
}
