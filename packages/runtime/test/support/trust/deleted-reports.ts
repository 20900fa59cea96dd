import { JobTracker, REPORT_PACK_PREFIX, type PeerPort } from '@tessera/core'
import type { SimArena } from './arena.ts'
import { countCalls, type CallCount } from './lying-donors.ts'

/**
 * Deleting reports (records belong to their writer; docs/security/open-points.md).
 * A stranger deletes, by raw Yjs, every report it sees of an unsettled task,
 * once each, and every pack of reports. At quorum 2 one honest donor reports every task; a second donor
 * joins later, so it opens the job after the deletions and sees only what
 * the document still holds. The first donor writes back its deleted reports
 * (`donor/own-reports.ts`); without that the late donor finds none of them.
 * Runs are counted on every donor: `extraRuns` is what the deletions cost
 * beyond the 2 runs per task quorum 2 needs.
 */
export interface DeletedReportFigures {
  readonly tasks: number
  readonly deleted: number
  /** Reports of the first donor the late donor found in its replica once it had synced. */
  readonly foundByLateDonor: number
  readonly runs: number
  readonly extraRuns: number
  readonly calls: CallCount
}

/** Deletes each report key of other peers the first time it appears; counts the reports deleted (a pack holds several: `report-packs.ts`). */
function deleteReports(peer: PeerPort, arena: SimArena): { stop(): void; readonly deleted: number } {
  const tracker = new JobTracker(peer, { clock: arena.clock, dropAfterMs: Number.POSITIVE_INFINITY, admission: 'unlimited' })
  const done = new Set<string>()
  let deleted = 0
  tracker.onOpen((index) => {
    const reports = index.job.doc.getMap('reports')
    reports.observe((event) => {
      const keys = [...event.keysChanged].filter((key) => reports.has(key) && !key.endsWith(`/${peer.id}`) && !done.has(`${index.spec.id}/${key}`))
      if (keys.length === 0) return
      arena.clock.setTimeout(() => {
        index.job.doc.transact(() => {
          for (const key of keys) {
            done.add(`${index.spec.id}/${key}`)
            const tasks = key.startsWith(REPORT_PACK_PREFIX) ? (reports.get(key) as { tasks?: unknown } | undefined)?.tasks : undefined
            reports.delete(key)
            deleted += Array.isArray(tasks) ? tasks.length : 1
          }
        })
      }, 0)
    })
  })
  return {
    stop: () => tracker.close(),
    get deleted() {
      return deleted
    },
  }
}

export async function deletedReports(arena: SimArena, tasks: number, log: (line: string) => void = () => {}): Promise<DeletedReportFigures> {
  let runs = 0
  const first = arena.sim.addDonor(() => (runs++, true))
  const host = await arena.host('host')
  const deleter = deleteReports((await arena.host('deleter')).peer, arena)
  const xs = Array.from({ length: tasks }, (_, x) => x)
  const calling = countCalls(arena, host, 'square', 2, xs, 60_000)
  // Every task run once and its report deleted (and, with write-back, written back) before the second donor comes.
  await arena.until(() => runs >= tasks && deleter.deleted >= tasks, 30_000)
  await arena.sim.wait(3_000)
  const late = arena.sim.addDonor(() => (runs++, true))
  await arena.sim.wait(500)
  const job = late.jobs.openJobs()[0]
  let foundByLateDonor = 0
  if (job !== undefined) for (let t = 0; t < tasks; t++) foundByLateDonor += job.reports(String(t)).filter((r) => r.peer === first.id).length
  const calls = await calling
  deleter.stop()
  const figures = { tasks, deleted: deleter.deleted, foundByLateDonor, runs, extraRuns: runs - 2 * tasks, calls }
  log(`deleted reports: ${figures.deleted} deleted, the late donor found ${foundByLateDonor} of the first donor's ${tasks}; ${runs} runs for ${tasks} tasks at quorum 2 (${figures.extraRuns} extra), ${calls.right}/${tasks} right, ${calls.wrong} wrong`)
  return figures
}
