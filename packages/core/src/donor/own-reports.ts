import type { JobId, PeerId } from '../ids.ts'
import { taskPhase } from '../scheduler/task-phase.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import { reportKey, type Report, type TaskId } from '../swarm/schema.ts'
import type { ReportPack } from '../swarm/report-packs.ts'
import { putReport, putReportPack } from '../swarm/writes.ts'

/**
 * Write-backs per task: a stranger that keeps deleting a report costs its
 * reporter this many writes at most, so two peers never ping-pong for ever.
 * Once they are spent the report stays gone.
 */
export const MAX_REPORT_WRITE_BACKS = 3

interface Remembered {
  report: Report
  writeBacks: number
}

/** A pack of this donor's reports, watched while any of its tasks is unsettled. */
interface RememberedPack {
  readonly pack: ReportPack
  readonly open: Set<TaskId>
  writeBacks: number
}

interface WatchedJob {
  readonly view: JobIndex
  readonly tasks: Map<TaskId, Remembered>
  readonly packs: Map<string, RememberedPack>
  /** Tasks whose report key changed since the last `restore`. */
  readonly touched: Set<TaskId>
  /** Pack keys that changed since the last `restore`. */
  readonly touchedPacks: Set<string>
  readonly unobserve: () => void
}

/**
 * A donor's own reports of tasks not yet settled. Any peer can write any key
 * of a job's `reports` map; only the reporter can sign its report, so the
 * reporter is the one to put it back when a stranger deleted it or replaced
 * it with something else. Peers that indexed the report keep it, but one
 * that opens the job later (a donor that joins) would not see it, and would
 * count one vote fewer.
 */
export class OwnReports {
  readonly #jobs = new Map<JobId, WatchedJob>()

  constructor(private readonly self: PeerId) {}

  /** Called as the donor writes `report`; from then on its key is watched until the task settles. */
  remember(view: JobIndex, task: TaskId, report: Report): void {
    const watched = this.#watch(view)
    // A task's count survives a new report of it: the bound is per task.
    watched.tasks.set(task, { report, writeBacks: watched.tasks.get(task)?.writeBacks ?? 0 })
  }

  /** Called as the donor writes a pack of its reports under `key`; watched, like a report, until its tasks settle. */
  rememberPack(view: JobIndex, key: string, pack: ReportPack): void {
    this.#watch(view).packs.set(key, { pack, open: new Set(pack.tasks), writeBacks: 0 })
  }

  #watch(view: JobIndex): WatchedJob {
    const id = view.spec.id
    let watched = this.#jobs.get(id)
    if (watched !== undefined && watched.view !== view) {
      watched.unobserve()
      watched = undefined
    }
    if (watched === undefined) {
      const touched = new Set<TaskId>()
      const touchedPacks = new Set<string>()
      const packs = new Map<string, RememberedPack>()
      const suffix = `/${this.self}`
      const onChange = (event: { keysChanged: Set<string> }): void => {
        for (const key of event.keysChanged) {
          if (key.endsWith(suffix)) touched.add(key.slice(0, -suffix.length))
          else if (packs.has(key)) touchedPacks.add(key)
        }
      }
      view.job.reports.observe(onChange)
      watched = { view, tasks: new Map(), packs, touched, touchedPacks, unobserve: () => view.job.reports.unobserve(onChange) }
      this.#jobs.set(id, watched)
    }
    return watched
  }

  /**
   * Writes back, in one transaction per job, the reports of unsettled tasks
   * that a change took away, within the bound; forgets settled tasks and
   * jobs no longer open here. Returns how many reports it wrote.
   */
  restore(jobs: (id: JobId) => JobIndex | undefined, now: number): number {
    let written = 0
    for (const [id, watched] of this.#jobs) {
      const { view, tasks, touched, packs, touchedPacks } = watched
      if (jobs(id) !== view || view.job.doc.isDestroyed) {
        watched.unobserve()
        this.#jobs.delete(id)
        continue
      }
      written += restorePacks(view, packs, touchedPacks, now)
      if (touched.size === 0) {
        if (tasks.size === 0 && packs.size === 0) {
          watched.unobserve()
          this.#jobs.delete(id)
        }
        continue
      }
      const missing: Array<[TaskId, Remembered]> = []
      for (const task of touched) {
        const remembered = tasks.get(task)
        if (remembered === undefined) continue
        const phase = view.task(task) === undefined ? 'failed' : taskPhase(view, task, now).phase
        if (phase === 'done' || phase === 'failed') tasks.delete(task)
        else if (!isOwnReport(view.job.reports.get(reportKey(task, this.self)), remembered.report) && remembered.writeBacks < MAX_REPORT_WRITE_BACKS) missing.push([task, remembered])
      }
      touched.clear()
      if (missing.length > 0) {
        view.job.transact(() => {
          for (const [task, remembered] of missing) {
            remembered.writeBacks++
            putReport(view.job, task, remembered.report)
          }
        })
        written += missing.length
      }
      if (tasks.size === 0 && packs.size === 0) {
        watched.unobserve()
        this.#jobs.delete(id)
      }
    }
    return written
  }
}

/** Puts back, in one transaction, the changed packs that still hold unsettled tasks, within the bound. */
function restorePacks(view: JobIndex, packs: Map<string, RememberedPack>, touched: Set<string>, now: number): number {
  const missing: Array<[string, RememberedPack]> = []
  for (const key of touched) {
    const remembered = packs.get(key)
    if (remembered === undefined) continue
    for (const task of remembered.open) {
      const phase = view.task(task) === undefined ? 'failed' : taskPhase(view, task, now).phase
      if (phase === 'done' || phase === 'failed') remembered.open.delete(task)
    }
    if (remembered.open.size === 0) packs.delete(key)
    else if (!isOwnPack(view.job.reports.get(key), remembered.pack) && remembered.writeBacks < MAX_REPORT_WRITE_BACKS) missing.push([key, remembered])
  }
  touched.clear()
  if (missing.length === 0) return 0
  view.job.transact(() => {
    for (const [key, remembered] of missing) {
      remembered.writeBacks++
      putReportPack(view.job, key, remembered.pack)
    }
  })
  return missing.reduce((sum, [, remembered]) => sum + remembered.pack.tasks.length, 0)
}

/** Whether the raw record under a pack's key is still that pack (signed by its writer: what no one else can make). */
function isOwnPack(raw: unknown, pack: ReportPack): boolean {
  if (raw === pack) return true
  if (typeof raw !== 'object' || raw === null) return false
  return (raw as { peer?: unknown }).peer === pack.peer && (raw as { sig?: unknown }).sig === pack.sig
}

/** Whether the raw record under the report's key is still that report (its signature is what no one else can make). */
function isOwnReport(raw: unknown, report: Report): boolean {
  if (raw === report) return true
  if (typeof raw !== 'object' || raw === null) return false
  const proof = (raw as { proof?: unknown }).proof
  return (raw as { peer?: unknown }).peer === report.peer && typeof proof === 'object' && proof !== null && (proof as { sig?: unknown }).sig === report.proof.sig
}
