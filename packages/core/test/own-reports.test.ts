import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addTasks,
  addressOf,
  asJobId,
  Identity,
  JOB_DEFAULTS,
  JobDoc,
  JobIndex,
  MAX_REPORT_WRITE_BACKS,
  OwnReports,
  putReport,
  reportKey,
  taskKeyOf,
  type PeerId,
  type Report,
  type TaskKey,
} from '@tessera/core'
import { signedReport } from '@tessera/core/testing'

const [donor, other] = ['peer-a', 'peer-b'].map((name) => Identity.fromSeed(name)) as [Identity, Identity]
const FN = addressOf('fn')
const keyOf = (task: number): TaskKey => taskKeyOf(FN, addressOf({ i: task }))

/** A quorum-2 job of two tasks, as the donor's replica holds it. */
function makeJob(): JobIndex {
  const id = asJobId('job-1')
  const job = new JobDoc(id, new Y.Doc())
  job.transact(() => addTasks(job, [0, 1].map((i) => ({ index: i, key: keyOf(i), args: addressOf({ i }) }))))
  return new JobIndex(job, { ...JOB_DEFAULTS, id, fn: FN, name: 'fn', taskCount: 2, submittedBy: other.peer, createdAt: 0, quorum: 2 })
}

const report = (identity: Identity, task: number, value: unknown): Report =>
  signedReport(identity, keyOf(task), { kind: 'value', result: addressOf(value) }, { durationMs: 10 })

/** What a stranger does with raw Yjs: delete a key, or put something else under it. */
const raw = (view: JobIndex, task: number, peer: PeerId, value?: unknown): void => {
  const map = view.job.doc.getMap('reports')
  view.job.doc.transact(() => (value === undefined ? map.delete(reportKey(String(task), peer)) : map.set(reportKey(String(task), peer), value)))
}

describe('a donor writes back its own reports (records belong to their writer)', () => {
  it('puts back a report a stranger deleted or replaced while the task is unsettled, at most MAX_REPORT_WRITE_BACKS times', () => {
    const view = makeJob()
    const own = new OwnReports(donor.peer)
    const mine = report(donor, 0, 1)
    putReport(view.job, '0', mine)
    own.remember(view, '0', mine)
    const jobs = (): JobIndex => view
    expect(own.restore(jobs, 0)).toBe(0)

    raw(view, 0, donor.peer)
    expect(own.restore(jobs, 0)).toBe(1)
    expect(view.job.reports.get(reportKey('0', donor.peer))).toEqual(mine)

    raw(view, 0, donor.peer, { peer: donor.peer, junk: true })
    expect(own.restore(jobs, 0)).toBe(1)
    expect(view.job.reports.get(reportKey('0', donor.peer))).toEqual(mine)

    // A stranger that keeps deleting wins once the bound is spent: no ping-pong for ever.
    let writes = 2
    for (let round = 0; round < 5; round++) {
      raw(view, 0, donor.peer)
      writes += own.restore(jobs, 0)
    }
    expect(writes).toBe(MAX_REPORT_WRITE_BACKS)
    expect(view.job.reports.get(reportKey('0', donor.peer))).toBeUndefined()
  })

  it('leaves a settled task\'s report alone, and another peer\'s keys', () => {
    const view = makeJob()
    const own = new OwnReports(donor.peer)
    const mine = report(donor, 1, 1)
    putReport(view.job, '1', mine)
    own.remember(view, '1', mine)
    putReport(view.job, '1', report(other, 1, 1))
    // Settled at quorum 2: a deleted report costs nothing now, and is not written back.
    raw(view, 1, donor.peer)
    raw(view, 1, other.peer)
    expect(own.restore(() => view, 0)).toBe(0)
    expect(view.job.reports.get(reportKey('1', other.peer))).toBeUndefined()
  })
})
