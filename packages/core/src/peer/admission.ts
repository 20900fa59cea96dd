import type { JobId, PeerId } from '../ids.ts'
import type { JobEntry } from '../swarm/schema.ts'

/**
 * How much open work one submitter may make every peer hold. A job outside
 * its submitter's quota is never opened here: its document (its tasks, and
 * the claims and reports on them) is not fetched, kept or worked on, so a
 * stranger's flood of jobs costs this peer only their entries in the swarm
 * document.
 *
 * The submitter is the job's `submittedBy` for now, which any peer can write;
 * signed identities (issue 14) will make it a real subject. Until then a
 * quota bounds what one honest-looking name can ask for, not what a liar who
 * invents names can.
 */
export interface AdmissionQuota {
  /** Open jobs per submitter. */
  readonly maxOpenJobs: number
  /** Tasks across a submitter's open jobs; a larger job is never admitted. */
  readonly maxOpenTasks: number
  /**
   * Bytes a submitter's open job documents may take, estimated from their task
   * counts (a task's record, claim and report are capped in size by
   * `swarm/records.ts`).
   */
  readonly maxOpenBytes: number
}

/** About what one task costs a peer that holds its job's document: the task, a claim and a report. */
export const ESTIMATED_BYTES_PER_TASK = 600

export const DEFAULT_ADMISSION: AdmissionQuota = {
  maxOpenJobs: 256,
  maxOpenTasks: 100_000,
  maxOpenBytes: 64 * 1024 * 1024,
}

/** Admission as a peer applies it: a quota, or none at all (private rooms, where every peer holds a token). */
export type AdmissionPolicy = AdmissionQuota | 'unlimited'

/**
 * Which of one submitter's open jobs are admitted: the oldest first (by
 * creation time, then id, so every peer decides alike), as long as they fit.
 * A job that does not fit is skipped, and a smaller later one may still fit.
 */
export function admittedJobs(openJobs: readonly JobEntry[], quota: AdmissionQuota): Set<JobId> {
  const ordered = [...openJobs].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const admitted = new Set<JobId>()
  let tasks = 0
  for (const job of ordered) {
    if (admitted.size >= quota.maxOpenJobs) break
    const after = tasks + job.taskCount
    if (after > quota.maxOpenTasks || after * ESTIMATED_BYTES_PER_TASK > quota.maxOpenBytes) continue
    admitted.add(job.id)
    tasks = after
  }
  return admitted
}

/**
 * Admission over the whole swarm document, kept per submitter: `refresh` is
 * given the jobs that changed, and recomputes only their submitters.
 */
export class AdmissionBook {
  readonly #bySubmitter = new Map<PeerId, Map<JobId, JobEntry>>()
  readonly #submitterOf = new Map<JobId, PeerId>()
  readonly #admitted = new Set<JobId>()

  constructor(
    private readonly policy: AdmissionPolicy,
    /** Jobs this peer submitted itself are always admitted: a peer can only flood itself. */
    private readonly self: PeerId,
  ) {}

  /** Whether `id` may be opened here (it must also be open). */
  admits(id: JobId): boolean {
    return this.policy === 'unlimited' || this.#admitted.has(id)
  }

  /**
   * Records what the swarm document now says about these jobs (`undefined`:
   * gone, finished or malformed) and returns the jobs whose admission may have
   * changed: every open job of the submitters concerned.
   */
  refresh(changes: Iterable<[JobId, JobEntry | undefined]>): JobId[] {
    if (this.policy === 'unlimited') return []
    const touched = new Set<PeerId>()
    for (const [id, entry] of changes) {
      const before = this.#submitterOf.get(id)
      if (before !== undefined) {
        this.#bySubmitter.get(before)?.delete(id)
        this.#submitterOf.delete(id)
        this.#admitted.delete(id)
        touched.add(before)
      }
      if (entry?.state === 'open') {
        const jobs = this.#bySubmitter.get(entry.submittedBy) ?? new Map<JobId, JobEntry>()
        jobs.set(id, entry)
        this.#bySubmitter.set(entry.submittedBy, jobs)
        this.#submitterOf.set(id, entry.submittedBy)
        touched.add(entry.submittedBy)
      }
    }
    const affected: JobId[] = []
    for (const submitter of touched) {
      const jobs = this.#bySubmitter.get(submitter)
      const entries = [...(jobs?.values() ?? [])]
      const admitted = submitter === this.self ? new Set(entries.map((e) => e.id)) : admittedJobs(entries, this.policy)
      for (const entry of entries) {
        if (admitted.has(entry.id)) this.#admitted.add(entry.id)
        else this.#admitted.delete(entry.id)
        affected.push(entry.id)
      }
      if (jobs === undefined || jobs.size === 0) this.#bySubmitter.delete(submitter)
    }
    return affected
  }
}
