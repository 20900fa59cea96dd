import { addressOf, encodeAndAddress, JobTracker, putReport, reportKey, type JobIndex, type PeerPort, type Report } from '@tessera/core'
import type { SimArena } from './arena.ts'
import { countCalls, type CallCount } from './lying-donors.ts'

/**
 * Replayed and re-signed results (scenario 18 of the trust notes). A peer
 * that runs nothing copies every honest report it sees: under its own id on
 * the same task (claiming the honest donor's signed word as its own), and
 * under the donor's id onto the next task of the job (a signed statement
 * about one call offered for another). With one honest donor at quorum 2,
 * either copy, if it counted, would settle the task by itself.
 */
export interface ReplayFigures {
  readonly tasks: number
  readonly copiesWritten: number
  /** Copies that any reader counted as a report. */
  readonly copiesCounted: number
  /** With one honest donor (and the copier) at quorum 2: what the host got. */
  readonly oneDonor: CallCount
  /** After a second honest donor joins (the copier still at work). */
  readonly twoDonors: CallCount
}

/** Copies reports as they arrive; only into empty slots, so the honest reports it copies stay. */
function replayReports(peer: PeerPort, arena: SimArena, xs: readonly number[]): { stop(): void; readonly written: number; counted(): number } {
  const xOfArgs = new Map(xs.map((x) => [encodeAndAddress({ x }, 'args').address, x]))
  const tracker = new JobTracker(peer, { clock: arena.clock, dropAfterMs: Number.POSITIVE_INFINITY, admission: 'unlimited' })
  const indexes: JobIndex[] = []
  const done = new Set<string>()
  let written = 0
  const copy = (index: JobIndex): void => {
    const count = index.spec.taskCount
    const writes: Array<[string, Report]> = []
    for (let t = 0; t < count; t++) {
      for (const report of index.reports(String(t))) {
        const id = `${index.spec.id}/${t}/${report.peer}`
        if (report.peer === peer.id || done.has(id)) continue
        done.add(id)
        writes.push([String(t), { ...report, peer: peer.id }])
        const next = String((t + 1) % count)
        if (!index.job.reports.has(reportKey(next, report.peer))) writes.push([next, report])
      }
    }
    if (writes.length === 0) return
    index.job.transact(() => writes.forEach(([task, report]) => putReport(index.job, task, report)))
    written += writes.length
  }
  tracker.onOpen((index) => {
    indexes.push(index)
    index.job.doc.getMap('reports').observe(() => arena.clock.setTimeout(() => copy(index), 0))
  })
  return {
    stop: () => tracker.close(),
    get written() {
      return written
    },
    // A report counts if a reader's index hands it out: the copier's, or one whose outcome is not its own task's.
    counted: () => {
      let counted = 0
      for (const index of indexes) {
        for (let t = 0; t < index.spec.taskCount; t++) {
          const task = index.task(String(t))
          const x = task === undefined ? undefined : xOfArgs.get(task.args)
          const right = x === undefined ? undefined : addressOf(x * x)
          counted += index.reports(String(t)).filter((r) => r.peer === peer.id || r.outcome.kind !== 'value' || r.outcome.result !== right).length
        }
      }
      return counted
    },
  }
}

export async function replayedReports(arena: SimArena, tasks = 100, limitMs = 20_000, log: (line: string) => void = () => {}): Promise<ReplayFigures> {
  const host = await arena.host('host')
  const xs = Array.from({ length: tasks }, (_, x) => x)
  const copier = replayReports((await arena.host('copier')).peer, arena, xs)
  const oneDonor = await countCalls(arena, host, 'square', 2, xs, limitMs)
  arena.sim.addDonor()
  const twoDonors = await countCalls(arena, host, 'square', 2, xs, limitMs * 3)
  const copiesCounted = copier.counted()
  copier.stop()
  log(`replays: ${copier.written} copies written, ${copiesCounted} counted; one donor at quorum 2: ${oneDonor.settled}/${tasks} settled, ${oneDonor.wrong} wrong; two donors: ${twoDonors.right}/${tasks} right, ${twoDonors.wrong} wrong`)
  return { tasks, copiesWritten: copier.written, copiesCounted, oneDonor, twoDonors }
}
