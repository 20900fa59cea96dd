import type * as Y from 'yjs'
import type { PeerId, TaskKey } from '../ids.ts'
import type { AdminTrust } from './admin-cancellation.ts'
import type { JobView } from '../scheduler/job-view.ts'
import type { JobDoc } from './job-doc.ts'
import { checkBackup, checkJobEntry, checkTask } from './records.ts'
import type { ReadonlyDocMap, Backup, Claim, Failure, JobSpec, Report, TaskId, TaskRecord, TaskVerdict } from './schema.ts'
import { checkClaim } from './signed-claims.ts'
import { claimPackClaims, claimPackTasks, isClaimPackKey } from './claim-packs.ts'
import { isTaskPackKey, packKeyOfTask, TASK_PACK_SIZE, taskIdsOfPack, taskPackRecords } from './task-packs.ts'
import type { Clock } from '../clock.ts'
import { ReportIndex } from './report-index.ts'
import { FailureIndex } from './failure-index.ts'
import { VerdictIndex } from './verdict-index.ts'
import { TaskSettling } from './task-settling.ts'

const NONE: readonly never[] = Object.freeze([])

/**
 * A `JobView` over a live job document, and the one reader of its records:
 * every task, claim, backup, report and failure is checked against the job's
 * spec (`records.ts`) before it is indexed or handed out, and one that fails
 * is ignored. This class routes the document's changes; the per-task indexes
 * of reports (`report-index.ts`), failures (`failure-index.ts`) and verdicts
 * (`verdict-index.ts`), and the set of tasks not yet settled
 * (`task-settling.ts`), live in their own files.
 */
export class JobIndex implements JobView {
  readonly #keyOf = (task: TaskId): TaskKey | undefined => this.task(task)?.key
  readonly #reports: ReportIndex
  readonly #failures: FailureIndex
  readonly #verdicts: VerdictIndex
  readonly #settling: TaskSettling
  /** Tasks whose records are well-formed. */
  readonly #tasks = new Set<TaskId>()
  /** Tasks by key: a key several jobs ask for runs once in the swarm (`scheduler/shared-keys.ts`). */
  readonly #byKey = new Map<TaskKey, TaskId[]>()
  readonly #unobserve: Array<() => void> = []
  /** Claims as checked against their task's key; started afresh whenever a task record changes. */
  #claims = new WeakMap<object, { readonly task: TaskId; readonly claim: Claim | undefined }>()
  /** Claim packs as checked against their tasks' keys (`claim-packs.ts`); started afresh likewise. */
  #packs = new WeakMap<object, ReadonlyMap<TaskId, Claim>>()

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
    this.#reports = new ReportIndex(spec, this.#keyOf)
    this.#failures = new FailureIndex(spec, this.#keyOf, (task, packKey) => this.#packedClaim(task, packKey))
    this.#verdicts = new VerdictIndex(spec, this.#keyOf)
    const failures = this.#failures
    this.#settling = new TaskSettling(this, clock, (task) => failures.has(task), (task) => failures.forgetLeases(task))
    const settling = this.#settling
    const recheck = (task: TaskId): void => settling.recheck(task)
    this.#subjectOf = subjects === undefined ? (peer) => peer : (peer) => subjects.subjectOf(peer)
    if (subjects !== undefined) {
      this.#unobserve.push(
        subjects.onChange(() => {
          for (const id of [...settling.openTasks()]) if (this.#reports.has(id) || failures.has(id)) recheck(id)
        }),
      )
    }
    for (const [key, raw] of job.tasks) {
      if (!isTaskPackKey(key)) this.#addTask(key, checkTask(key, raw, spec))
      // A task record of its own is read before its pack (`task-packs.ts`).
      else for (const record of taskPackRecords(key, raw, spec) ?? NONE) if (!job.tasks.has(String(record.index))) this.#addTask(String(record.index), record)
    }
    for (const id of this.#tasks) settling.open(id)
    // Reports and failures are indexed next, and each recheck below settles its task.
    job.reports.forEach((raw, key) => this.#reports.put(key, raw))
    job.claims.forEach((raw, key) => {
      if (!isClaimPackKey(key)) failures.seenClaim(key, raw)
    })
    job.failures.forEach((raw, key) => failures.put(key, raw))
    job.verdicts.forEach((raw, key) => this.#verdicts.put(key, raw))
    for (const id of this.#reports.tasks()) recheck(id)
    for (const id of failures.tasks()) recheck(id)
    this.#observe(job.tasks, (keys) => {
      // A task's reports can arrive before the task itself: judge it as it lands.
      this.#claims = new WeakMap()
      this.#packs = new WeakMap()
      for (const key of [...keys].flatMap((key) => (isTaskPackKey(key) ? taskIdsOfPack(key, spec) : [key]))) {
        const record = this.task(key)
        if (record === undefined) {
          // Overwritten with something malformed: the task is gone as far as this peer can tell.
          this.#tasks.delete(key)
          settling.drop(key)
          continue
        }
        if (this.#tasks.has(key)) continue
        this.#addTask(key, record)
        settling.open(key)
        // A pack that waited for this task gives reports of others too.
        for (const reportKey of this.#reports.takeWaiting(key)) {
          for (const task of this.#reports.put(reportKey, job.reports.get(reportKey))) if (task !== key) recheck(task)
        }
        for (const failureKey of failures.takeWaiting(key)) failures.put(failureKey, job.failures.get(failureKey))
        failures.seenClaim(key, job.claims.get(key))
        recheck(key)
      }
      for (const key of this.#verdicts.waiting()) for (const task of this.#verdicts.put(key, job.verdicts.get(key))) recheck(task)
    })
    this.#observe(job.reports, (keys) => {
      for (const key of keys) for (const task of this.#reports.put(key, job.reports.get(key))) recheck(task)
    })
    this.#observe(job.verdicts, (keys) => {
      for (const key of keys) for (const task of this.#verdicts.put(key, job.verdicts.get(key))) recheck(task)
    })
    this.#observe(job.failures, (keys) => {
      for (const key of keys) {
        const task = failures.put(key, job.failures.get(key))
        if (task !== undefined) recheck(task)
      }
    })
    // A renewal can show that a recorded lapse was no lapse.
    this.#observe(job.claims, (keys) => {
      const seen = (task: TaskId): void => {
        if (!settling.isOpen(task)) return
        failures.seenClaim(task, job.claims.get(task))
        if (failures.has(task)) recheck(task)
      }
      for (const key of keys) {
        // A renewed pack renews the claims of the tasks whose keys still name it.
        if (!isClaimPackKey(key)) seen(key)
        else for (const task of claimPackTasks(job.claims.get(key), spec)) if (job.claims.get(task) === key) seen(task)
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
    const own = this.job.tasks.get(id)
    if (own !== undefined) return checkTask(id, own, this.spec)
    const packKey = packKeyOfTask(id)
    const packed = taskPackRecords(packKey, this.job.tasks.get(packKey), this.spec)
    const record = packed?.[Number(id) % TASK_PACK_SIZE]
    return record !== undefined && String(record.index) === id ? record : undefined
  }

  /** The tasks whose records have arrived here and were well-formed when they did. */
  taskIds(): Iterable<TaskId> {
    return this.#tasks
  }

  /** The task's claim, if its claimant signed it for this task. */
  claim(id: TaskId): Claim | undefined {
    // Read for every open task on every scheduling step and progress report: one lookup per claim object.
    const raw = this.job.claims.get(id)
    if (typeof raw === 'string') return this.#packedClaim(id, raw)
    if (typeof raw !== 'object' || raw === null) return undefined
    const known = this.#claims.get(raw)
    if (known !== undefined && known.task === id) return known.claim
    const key = this.task(id)?.key
    const claim = key === undefined ? undefined : checkClaim(id, raw, this.spec, key)
    this.#claims.set(raw, { task: id, claim })
    return claim
  }

  /** The claim of `id` in the pack under `packKey`, which the task's own claim key names. */
  #packedClaim(id: TaskId, packKey: string): Claim | undefined {
    if (!isClaimPackKey(packKey)) return undefined
    const pack = this.job.claims.get(packKey)
    if (typeof pack !== 'object' || pack === null) return undefined
    let claims = this.#packs.get(pack)
    if (claims === undefined) this.#packs.set(pack, (claims = claimPackClaims(pack, this.spec, this.#keyOf)))
    return claims.get(id)
  }

  backup(id: TaskId): Backup | undefined {
    return checkBackup(id, this.job.backups.get(id), this.spec)
  }

  reports(id: TaskId): readonly Report[] {
    return this.#reports.of(id)
  }

  /** Failures their claimant's own records show, less lapses of a lease its claimant renewed after (as seen here). */
  failures(id: TaskId): readonly Failure[] {
    return this.#failures.standing(id)
  }

  verdict(id: TaskId): TaskVerdict | undefined {
    return this.#verdicts.get(id)
  }

  /** This job's tasks whose key is `key` (whose records were well-formed when they arrived). */
  tasksWithKey(key: TaskKey): readonly TaskId[] {
    return this.#byKey.get(key) ?? NONE
  }

  openTasks(): Iterable<TaskId> {
    return this.#settling.openTasks()
  }

  /** Every task that has settled, in the order this peer saw it happen. Append-only. */
  settledLog(): readonly TaskId[] {
    return this.#settling.settledLog()
  }

  openCount(): number {
    return this.#settling.openTasks().size
  }

  /** Every task has arrived (the job document may still be syncing) and none is open. */
  isFinished(): boolean {
    return this.#settling.openTasks().size === 0 && this.#tasks.size >= this.spec.taskCount
  }

  reportedDurations(): readonly number[] {
    return this.#reports.durations()
  }

  /** Calls `listener` with each task as it settles here; returns how to stop. */
  onSettled(listener: (task: TaskId) => void): () => void {
    return this.#settling.onSettled(listener)
  }

  /** Calls `listener` with each task whose reports, failures or verdicts changed here; returns how to stop. */
  onTaskChanged(listener: (task: TaskId) => void): () => void {
    return this.#settling.onTaskChanged(listener)
  }

  close(): void {
    this.#settling.close()
    for (const unobserve of this.#unobserve) unobserve()
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
