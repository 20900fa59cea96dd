import type { TaskKey } from '../ids.ts'
import { checkReport, isReportShaped } from './records.ts'
import { splitRecordKey, WaitingKeys } from './record-key.ts'
import { isReportPackKey, reportPackReports, reportPackTasks } from './report-packs.ts'
import type { JobSpec, Report, TaskId } from './schema.ts'

const NONE: readonly never[] = Object.freeze([])

/**
 * A job's reports as one reader indexed them, per task: each checked against
 * its task's key before it counts, so a report that came before its task
 * waits for it. One report per reporter and task; a newer one replaces it.
 * A pack of reports (`report-packs.ts`) is checked once, when all its tasks
 * are here, and gives each of them its report as one of its own would.
 */
export class ReportIndex {
  readonly #reports = new Map<TaskId, Report[]>()
  /** Bounded by the job's reports: only well-formed ones (or packs) for task ids of this job wait. */
  readonly #waiting = new WaitingKeys()
  readonly #durations: number[] = []

  /** `keyOf` gives a task's key once its record is here and well-formed. */
  constructor(
    private readonly spec: JobSpec,
    private readonly keyOf: (task: TaskId) => TaskKey | undefined,
  ) {}

  of(task: TaskId): readonly Report[] {
    return this.#reports.get(task) ?? NONE
  }

  has(task: TaskId): boolean {
    return this.#reports.has(task)
  }

  /** Tasks with at least one report. */
  tasks(): Iterable<TaskId> {
    return this.#reports.keys()
  }

  /** Durations of the runs reported so far, one per reporter and task. */
  durations(): readonly number[] {
    return this.#durations
  }

  /** Report keys that waited for `task`, to be put again now that it is here. */
  takeWaiting(task: TaskId): Iterable<string> {
    return this.#waiting.take(task)
  }

  /** Indexes a well-formed report, or a pack's; returns their tasks (none when the entry is ignored). */
  put(key: string, raw: unknown): readonly TaskId[] {
    if (isReportPackKey(key)) return this.#putPack(key, raw)
    const [task, peer] = splitRecordKey(key)
    const taskKey = this.keyOf(task)
    if (taskKey === undefined) {
      if (isReportShaped(task, peer, raw, this.spec)) this.#waiting.add(task, key)
      return NONE
    }
    const report = checkReport(task, peer, raw, this.spec, taskKey)
    if (report === undefined) return NONE
    this.#index(task, report)
    return [task]
  }

  #putPack(key: string, raw: unknown): readonly TaskId[] {
    const tasks = reportPackTasks(raw, this.spec)
    // Waits on the last task not here: tasks mostly arrive in order, so the pack is put again once.
    for (let i = tasks.length - 1; i >= 0; i--) {
      if (this.keyOf(tasks[i]!) !== undefined) continue
      this.#waiting.add(tasks[i]!, key)
      return NONE
    }
    const reports = reportPackReports(raw, this.spec, this.keyOf)
    reports.forEach((report, i) => this.#index(tasks[i]!, report))
    return reports.length === 0 ? NONE : tasks
  }

  #index(task: TaskId, report: Report): void {
    const reports = this.#reports.get(task) ?? []
    const i = reports.findIndex((r) => r.peer === report.peer)
    if (i === -1) this.#durations.push(report.durationMs)
    this.#reports.set(task, i === -1 ? [...reports, report] : reports.map((r, j) => (j === i ? report : r)))
  }
}
