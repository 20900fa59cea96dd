import type * as Y from 'yjs'
import type { PeerId } from '../ids.ts'
import type { AdminTrust } from './admin-cancellation.ts'
import type { JobView } from '../scheduler/job-view.ts'
import { taskPhase, isSettled } from '../scheduler/task-phase.ts'
import type { JobDoc } from './job-doc.ts'
import { checkBackup, checkJobEntry, checkReport, checkTask, isReportShaped, isTaskId } from './records.ts'
import type { ReadonlyDocMap, Backup, Claim, Failure, JobSpec, Report, TaskId, TaskRecord, TaskVerdict } from './schema.ts'
import type { TaskKey } from '../ids.ts'
import { checkVerdict, mergeVerdicts } from './verdicts.ts'
import { checkClaim, checkFailure } from './signed-claims.ts'
import { LatestLeases } from './latest-leases.ts'
import { tallyFailures } from '../scheduler/failure-tally.ts'
import type { Clock } from '../clock.ts'

/** `task/peer` or `task/attempt`: a key without its slash names no task. */
function splitKey(key: string): [TaskId, string] {
  const slash = key.indexOf('/')
  return slash === -1 ? ['', ''] : [key.slice(0, slash), key.slice(slash + 1)]
}

/**
 * A `JobView` over a live job document, and the one reader of its records:
 * every task, claim, backup, report and failure is checked against the job's
 * spec (`records.ts`) before it is indexed or handed out, and one that fails
 * is ignored. Observers keep per-task indexes of the
 * reports and failures, and the set of tasks not yet settled, so a scheduling
 * step costs what is left to do rather than the size of the job.
 */
const NONE: readonly never[] = Object.freeze([])
/** Longest wait for a lapse to pass by this clock that is worth a timer (a lease is 10 s by default). */
const MAX_LAPSE_WAIT_MS = 10 * 60_000

export class JobIndex implements JobView {
  readonly #reports = new Map<TaskId, Report[]>()
  readonly #failures = new Map<TaskId, Failure[]>()
  /** Reports that came before their task: a report is checked against its task's key, so they wait for it. */
  readonly #waiting = new Map<TaskId, Set<string>>()
  /** Tasks whose records are well-formed. */
  readonly #tasks = new Set<TaskId>()
  /** Tasks by key: a key several jobs ask for runs once in the swarm (`scheduler/shared-keys.ts`). */
  readonly #byKey = new Map<TaskKey, TaskId[]>()
  readonly #open = new Set<TaskId>()
  /** Tasks in the order they settled here. */
  readonly #settled: TaskId[] = []
  readonly #durations: number[] = []
  readonly #unobserve: Array<() => void> = []
  readonly #settledListeners = new Set<(task: TaskId) => void>()
  readonly #changeListeners = new Set<(task: TaskId) => void>()
  /** What the submitter's checked verdicts say per task (adaptive jobs only). */
  readonly #verdicts = new Map<TaskId, TaskVerdict>()
  /** Verdict records naming a task not here yet: checked again as tasks arrive. */
  readonly #waitingVerdicts = new Set<string>()
  /** Failures that came before their task (checked against its key, like reports). */
  readonly #waitingFailures = new Map<TaskId, Set<string>>()
  /** Per task, each claimant's latest signed lease seen here: a lapse it outlived does not count. */
  readonly #leases = new LatestLeases((task, raw) => {
    const key = this.task(task)?.key
    return key === undefined ? undefined : checkClaim(task, raw, this.spec, key)
  })
  /** Per task, a recheck for when a recorded lapse will have passed by this clock. */
  readonly #lapseTimers = new Map<TaskId, { at: number; timer: unknown }>()
  readonly #clock: Clock | undefined
  /** Claims as checked against their task's key; started afresh whenever a task record changes. */
  #claims = new WeakMap<object, { readonly task: TaskId; readonly claim: Claim | undefined }>()

  readonly #subjectOf: (peer: PeerId) => string | undefined

  /**
   * `subjects` says which subject each reporter counts as for quorum; without
   * it every peer is its own. When it changes (a certificate arrives), open
   * tasks with reports are judged again. `admins` says whose admin
   * certificates make a cancellation by another than the submitter count
   * (`SwarmDoc.admins`); without it only the submitter's does.
   * `clock` judges lost leases (one counts once its lease has passed here);
   * without one, every lease has.
   */
  constructor(
    readonly job: JobDoc,
    readonly spec: JobSpec,
    subjects?: { subjectOf(peer: PeerId): string | undefined; onChange(listener: () => void): () => void },
    private readonly admins?: AdminTrust,
    clock?: Clock,
  ) {
    this.#clock = clock
    this.#subjectOf = subjects === undefined ? (peer) => peer : (peer) => subjects.subjectOf(peer)
    if (subjects !== undefined) {
      this.#unobserve.push(
        subjects.onChange(() => {
          for (const id of [...this.#open]) if (this.#reports.has(id) || this.#failures.has(id)) this.#recheck(id)
        }),
      )
    }
    for (const [id, raw] of job.tasks) this.#addTask(id, checkTask(id, raw, spec))
    for (const id of this.#tasks) this.#open.add(id)
    // Reports and failures are indexed next, and each recheck below settles its task.
    job.reports.forEach((raw, key) => this.#putReport(key, raw))
    job.claims.forEach((raw, key) => this.#leases.seen(key, raw))
    job.failures.forEach((raw, key) => this.#putFailure(key, raw))
    job.verdicts.forEach((raw, key) => this.#putVerdict(key, raw))
    for (const id of this.#reports.keys()) this.#recheck(id)
    for (const id of this.#failures.keys()) this.#recheck(id)
    this.#observe(job.tasks, (keys) => {
      // A task's reports can arrive before the task itself: judge it as it lands.
      this.#claims = new WeakMap()
      for (const key of keys) {
        const record = checkTask(key, job.tasks.get(key), spec)
        if (record === undefined) {
          // Overwritten with something malformed: the task is gone as far as this peer can tell.
          this.#tasks.delete(key)
          this.#open.delete(key)
          continue
        }
        if (this.#tasks.has(key)) continue
        this.#addTask(key, record)
        this.#open.add(key)
        const waiting = this.#waiting.get(key)
        this.#waiting.delete(key)
        for (const reportKey of waiting ?? []) this.#putReport(reportKey, job.reports.get(reportKey))
        const failures = this.#waitingFailures.get(key)
        this.#waitingFailures.delete(key)
        for (const failureKey of failures ?? []) this.#putFailure(failureKey, job.failures.get(failureKey))
        this.#leases.seen(key, job.claims.get(key))
        this.#recheck(key)
      }
      for (const key of [...this.#waitingVerdicts]) for (const task of this.#putVerdict(key, job.verdicts.get(key))) this.#recheck(task)
    })
    this.#observe(job.reports, (keys) => {
      for (const key of keys) {
        const task = this.#putReport(key, job.reports.get(key))
        if (task !== undefined) this.#recheck(task)
      }
    })
    this.#observe(job.verdicts, (keys) => {
      for (const key of keys) for (const task of this.#putVerdict(key, job.verdicts.get(key))) this.#recheck(task)
    })
    this.#observe(job.failures, (keys) => {
      for (const key of keys) {
        const task = this.#putFailure(key, job.failures.get(key))
        if (task !== undefined) this.#recheck(task)
      }
    })
    // A renewal can show that a recorded lapse was no lapse.
    this.#observe(job.claims, (keys) => {
      for (const key of keys) {
        if (!this.#open.has(key)) continue
        this.#leases.seen(key, job.claims.get(key))
        if (this.#failures.has(key)) this.#recheck(key)
      }
    })
  }

  subjectOf(peer: PeerId): string | undefined {
    return this.#subjectOf(peer)
  }

  /** Cancelled by its submitter or a room admin: the signed entry in the job's own document names this job and its submitter, in state `cancelled`. */
  get cancelled(): boolean {
    const entry = checkJobEntry(this.spec.id, this.job.cancellation, this.admins)
    return entry !== undefined && entry.state === 'cancelled' && entry.submittedBy === this.spec.submittedBy
  }

  task(id: TaskId): TaskRecord | undefined {
    return checkTask(id, this.job.tasks.get(id), this.spec)
  }

  /** The task's claim, if its claimant signed it for this task. */
  claim(id: TaskId): Claim | undefined {
    // Read for every open task on every scheduling step and progress report: one lookup per claim object.
    const raw = this.job.claims.get(id)
    if (typeof raw !== 'object' || raw === null) return undefined
    const known = this.#claims.get(raw)
    if (known !== undefined && known.task === id) return known.claim
    const key = this.task(id)?.key
    const claim = key === undefined ? undefined : checkClaim(id, raw, this.spec, key)
    this.#claims.set(raw, { task: id, claim })
    return claim
  }

  backup(id: TaskId): Backup | undefined {
    return checkBackup(id, this.job.backups.get(id), this.spec)
  }

  reports(id: TaskId): readonly Report[] {
    return this.#reports.get(id) ?? NONE
  }

  /** Failures their claimant's own records show, less lapses of a lease its claimant renewed after (as seen here). */
  failures(id: TaskId): readonly Failure[] {
    const failures = this.#failures.get(id)
    return failures === undefined ? NONE : this.#leases.standing(id, failures)
  }

  verdict(id: TaskId): TaskVerdict | undefined {
    return this.#verdicts.get(id)
  }

  /** This job's tasks whose key is `key` (whose records were well-formed when they arrived). */
  tasksWithKey(key: TaskKey): readonly TaskId[] {
    return this.#byKey.get(key) ?? NONE
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
    return this.#open.size === 0 && this.#tasks.size >= this.spec.taskCount
  }

  reportedDurations(): readonly number[] {
    return this.#durations
  }

  /** Calls `listener` with each task as it settles here; returns how to stop. */
  onSettled(listener: (task: TaskId) => void): () => void {
    this.#settledListeners.add(listener)
    return () => this.#settledListeners.delete(listener)
  }

  /** Calls `listener` with each task whose reports, failures or verdicts changed here; returns how to stop. */
  onTaskChanged(listener: (task: TaskId) => void): () => void {
    this.#changeListeners.add(listener)
    return () => this.#changeListeners.delete(listener)
  }

  close(): void {
    for (const { timer } of this.#lapseTimers.values()) this.#clock?.clearTimeout(timer)
    this.#lapseTimers.clear()
    for (const unobserve of this.#unobserve) unobserve()
    this.#settledListeners.clear()
    this.#changeListeners.clear()
  }

  // Whether a task is settled depends only on its reports and failures, which
  // only grow, so it is decided once per change rather than on every scan.
  #recheck(id: TaskId): void {
    for (const listener of this.#changeListeners) listener(id)
    const now = this.#clock?.now() ?? Number.POSITIVE_INFINITY
    if (this.#open.has(id) && isSettled(taskPhase(this, id, now))) {
      this.#open.delete(id)
      this.#settled.push(id)
      this.#leases.forget(id)
      for (const listener of this.#settledListeners) listener(id)
    } else if (this.#open.has(id) && this.#failures.has(id)) {
      this.#recheckWhenLapsed(id, now)
    }
  }

  /** A lapse recorded before its lease passed by this clock counts later: judge the task again then. */
  #recheckWhenLapsed(id: TaskId, now: number): void {
    const clock = this.#clock
    const at = clock === undefined ? undefined : tallyFailures(this, id, now).pendingUntil
    const scheduled = this.#lapseTimers.get(id)
    if (clock === undefined || at === undefined || (scheduled !== undefined && scheduled.at <= at)) return
    // A claimant's own far-future lease would overflow a timer; any later change judges it again anyway.
    if (at - now > MAX_LAPSE_WAIT_MS) return
    if (scheduled !== undefined) clock.clearTimeout(scheduled.timer)
    const timer = clock.setTimeout(() => {
      this.#lapseTimers.delete(id)
      this.#recheck(id)
    }, Math.max(0, at - now) + 1)
    this.#lapseTimers.set(id, { at, timer })
  }

  /** Indexes a well-formed report; returns its task, or undefined when the entry is ignored. */
  #putReport(key: string, raw: unknown): TaskId | undefined {
    const [task, peer] = splitKey(key)
    const record = this.task(task)
    if (record === undefined) {
      // Bounded by the job's reports: only well-formed ones for a task id of this job wait.
      if (isReportShaped(task, peer, raw, this.spec)) this.#waiting.set(task, (this.#waiting.get(task) ?? new Set()).add(key))
      return undefined
    }
    const report = checkReport(task, peer, raw, this.spec, record.key)
    if (report === undefined) return undefined
    const reports = this.#reports.get(task) ?? []
    const i = reports.findIndex((r) => r.peer === report.peer)
    if (i === -1) this.#durations.push(report.durationMs)
    this.#reports.set(task, i === -1 ? [...reports, report] : reports.map((r, j) => (j === i ? report : r)))
    return task
  }

  /** Indexes a verdict record the submitter signed; returns the tasks it names. */
  #putVerdict(key: string, raw: unknown): TaskId[] {
    const check = checkVerdict(this.spec, key, raw, (task) => this.task(task)?.key)
    if (check.kind === 'waiting') this.#waitingVerdicts.add(key)
    else this.#waitingVerdicts.delete(key)
    return check.kind === 'valid' ? mergeVerdicts(this.#verdicts, check.record) : []
  }

  #putFailure(key: string, raw: unknown): TaskId | undefined {
    const [task, attempt] = splitKey(key)
    const record = this.task(task)
    if (record === undefined) {
      // Bounded by the job's failures: only those keyed by a task id of this job wait.
      if (isTaskId(task, this.spec.taskCount)) this.#waitingFailures.set(task, (this.#waitingFailures.get(task) ?? new Set()).add(key))
      return undefined
    }
    const failure = checkFailure(task, attempt, raw, this.spec, record.key)
    if (failure === undefined) return undefined
    const failures = (this.#failures.get(task) ?? []).filter((f) => f.attempt !== failure.attempt)
    this.#failures.set(task, [...failures, failure])
    return task
  }

  #addTask(id: TaskId, record: TaskRecord | undefined): void {
    if (record === undefined) return
    this.#tasks.add(id)
    const same = this.#byKey.get(record.key)
    if (same === undefined) this.#byKey.set(record.key, [id])
    else same.push(id)
  }

  #observe<T>(map: ReadonlyDocMap<T>, onChange: (keys: Iterable<string>) => void): void {
    const handler = (event: Y.YMapEvent<T>): void => onChange(event.keysChanged)
    map.observe(handler)
    this.#unobserve.push(() => map.unobserve(handler))
  }
}
