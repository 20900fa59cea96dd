import type * as Y from 'yjs'
import type { JobView } from '../scheduler/job-view.ts'
import { taskPhase, isSettled } from '../scheduler/task-phase.ts'
import type { JobDoc } from './job-doc.ts'
import { taskOfKey, type ReadonlyDocMap, type Backup, type Claim, type Failure, type JobSpec, type Report, type TaskId, type TaskRecord } from './schema.ts'

/**
 * A `JobView` over a live job document. Observers keep per-task indexes of the
 * reports and failures, and the set of tasks not yet settled, so a scheduling
 * step costs what is left to do rather than the size of the job.
 */
const NONE: readonly never[] = Object.freeze([])

export class JobIndex implements JobView {
  readonly #reports = new Map<TaskId, Report[]>()
  readonly #failures = new Map<TaskId, Failure[]>()
  readonly #open = new Set<TaskId>()
  /** Tasks in the order they settled here. */
  readonly #settled: TaskId[] = []
  readonly #durations: number[] = []
  readonly #unobserve: Array<() => void> = []

  constructor(
    readonly job: JobDoc,
    readonly spec: JobSpec,
  ) {
    for (const id of job.tasks.keys()) this.#open.add(id)
    // Reports and failures are indexed next, and each recheck below settles its task.
    job.reports.forEach((report, key) => this.#putReport(key, report))
    job.failures.forEach((failure, key) => this.#putFailure(key, failure))
    for (const id of this.#reports.keys()) this.#recheck(id)
    for (const id of this.#failures.keys()) this.#recheck(id)
    this.#observe(job.tasks, (keys) => {
      // A task's reports can arrive before the task itself: judge it as it lands.
      for (const key of keys) {
        if (!job.tasks.has(key)) continue
        this.#open.add(key)
        this.#recheck(key)
      }
    })
    this.#observe(job.reports, (keys) => {
      for (const key of keys) {
        const report = job.reports.get(key)
        if (report !== undefined) this.#putReport(key, report)
        this.#recheck(taskOfKey(key))
      }
    })
    this.#observe(job.failures, (keys) => {
      for (const key of keys) {
        const failure = job.failures.get(key)
        if (failure !== undefined) this.#putFailure(key, failure)
        this.#recheck(taskOfKey(key))
      }
    })
  }

  get cancelled(): boolean {
    return this.job.cancelled
  }

  task(id: TaskId): TaskRecord | undefined {
    return this.job.tasks.get(id)
  }

  claim(id: TaskId): Claim | undefined {
    return this.job.claims.get(id)
  }

  backup(id: TaskId): Backup | undefined {
    return this.job.backups.get(id)
  }

  reports(id: TaskId): readonly Report[] {
    return this.#reports.get(id) ?? NONE
  }

  failures(id: TaskId): readonly Failure[] {
    return this.#failures.get(id) ?? NONE
  }

  openTasks(): Iterable<TaskId> {
    return this.#open
  }

  /** Every task that has settled, in the order this peer saw it happen. Append-only. */
  settledLog(): readonly TaskId[] {
    return this.#settled
  }

  openCount(): number {
    return this.#open.size
  }

  /** Every task has arrived (the job document may still be syncing) and none is open. */
  isFinished(): boolean {
    return this.#open.size === 0 && this.job.tasks.size >= this.spec.taskCount
  }

  reportedDurations(): readonly number[] {
    return this.#durations
  }

  close(): void {
    for (const unobserve of this.#unobserve) unobserve()
  }

  // Whether a task is settled depends only on its reports and failures, which
  // only grow, so it is decided once per change rather than on every scan.
  #recheck(id: TaskId): void {
    if (this.#open.has(id) && isSettled(taskPhase(this, id, 0))) {
      this.#open.delete(id)
      this.#settled.push(id)
    }
  }

  #putReport(key: string, report: Report): void {
    const task = taskOfKey(key)
    const reports = this.#reports.get(task) ?? []
    const i = reports.findIndex((r) => r.peer === report.peer)
    if (i === -1) this.#durations.push(report.durationMs)
    this.#reports.set(task, i === -1 ? [...reports, report] : reports.map((r, j) => (j === i ? report : r)))
  }

  #putFailure(key: string, failure: Failure): void {
    const task = taskOfKey(key)
    const failures = (this.#failures.get(task) ?? []).filter((f) => f.attempt !== failure.attempt)
    this.#failures.set(task, [...failures, failure])
  }

  #observe<T>(map: ReadonlyDocMap<T>, onChange: (keys: Iterable<string>) => void): void {
    const handler = (event: Y.YMapEvent<T>): void => onChange(event.keysChanged)
    map.observe(handler)
    this.#unobserve.push(() => map.unobserve(handler))
  }
}
