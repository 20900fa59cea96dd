import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addressOf,
  addTasks,
  asJobId,
  Identity,
  JOB_DEFAULTS,
  JobDoc,
  JobIndex,
  makeReportPack,
  MAX_REPORT_WRITE_BACKS,
  OwnReports,
  putReport,
  putReportPack,
  REPORT_PACK_PREFIX,
  signOutcomes,
  taskKeyOf,
  verifyOutcome,
  type JobSpec,
  type Outcome,
  type Report,
  type ReportPack,
  type TaskKey,
} from '@tessera/core'
import { writeRaw } from './support/forge.ts'

const FN = addressOf({ fn: 'report-pack-test' })
const TASKS = 64
const keyOf = (i: number): TaskKey => taskKeyOf(FN, addressOf({ i }))
const donor = Identity.fromSeed('report pack donor')
const stranger = Identity.fromSeed('report pack stranger')
const id = asJobId('report-packs')
const spec: JobSpec = { ...JOB_DEFAULTS, id, fn: FN, name: 'fn', taskCount: TASKS, submittedBy: stranger.peer, createdAt: 0, quorum: 2 }
const tasks = Array.from({ length: TASKS }, (_, i) => ({ index: i, key: keyOf(i), args: addressOf({ i }) }))

const outcomeOf = (i: number): Outcome =>
  i % 7 === 3 ? { kind: 'thrown', error: { name: 'RangeError', message: `bad ${i}`, stack: 'at f' } } : { kind: 'value', result: addressOf({ result: i }) }

/**
 * A donor's flush: reports of tasks `from` (count of them), signed as one
 * batch, after `others` statements of other jobs' tasks in the same batch.
 */
function flush(from: number, count: number, others = 0, signer = donor): Array<{ task: string; key: TaskKey; report: Report }> {
  const items = Array.from({ length: count }, (_, n) => ({ key: keyOf(from + n), outcome: outcomeOf(from + n) }))
  const other = Array.from({ length: others }, (_, n) => ({ key: taskKeyOf(FN, addressOf({ other: n })), outcome: outcomeOf(n) }))
  const proofs = signOutcomes(signer, [...other, ...items]).slice(others)
  return items.map(({ key, outcome }, n) => ({
    task: String(from + n),
    key,
    report: { peer: signer.peer, attempt: 1 + (n % 3), outcome, proof: proofs[n]!, durationMs: 10 + n / 4, ...(n % 5 === 0 ? { fetchMs: n } : {}), at: 1234 },
  }))
}

function jobWithTasks(): JobDoc {
  const job = new JobDoc(id, new Y.Doc())
  job.transact(() => addTasks(job, tasks))
  return job
}

/** Another process's copy of `job`: every record decoded afresh, so nothing it holds was checked before. */
function replica(job: JobDoc): JobDoc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(job.doc))
  return new JobDoc(id, doc)
}

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

function reportsIn(index: JobIndex): Report[] {
  return Array.from({ length: TASKS }, (_, i) => index.reports(String(i))).flat()
}

describe('a flush of reports written as one pack', () => {
  it('reads back on another peer as the same reports, each proof a real audit path, for a fraction of the bytes', () => {
    for (const others of [0, 25]) {
      const items = flush(0, TASKS, others)
      const pack = makeReportPack(items)!
      // The whole batch needs no node; part of one needs a multiproof.
      expect(pack.nodes === '').toBe(others === 0)
      const packed = jobWithTasks()
      packed.transact(() => putReportPack(packed, `${REPORT_PACK_PREFIX}${donor.peer}.1`, pack))
      const separate = jobWithTasks()
      separate.transact(() => items.forEach(({ task, report }) => putReport(separate, task, report)))

      const index = new JobIndex(replica(packed), spec)
      for (const { task, key, report } of items) {
        const read = index.reports(task)
        expect(read).toHaveLength(1)
        expect(plain(read[0])).toEqual(plain(report))
        expect(verifyOutcome(donor.peer, key, read[0]!.outcome, plain(read[0]!.proof) as Report['proof'])).toBe(true)
      }
      expect(index.reportedDurations()).toHaveLength(TASKS)

      const taskBytes = Y.encodeStateAsUpdate(jobWithTasks().doc).byteLength
      const perReport = (job: JobDoc): number => (Y.encodeStateAsUpdate(job.doc).byteLength - taskBytes) / TASKS
      const [before, after] = [perReport(separate), perReport(packed)]
      console.log(`report bytes in the job document, ${TASKS} reports, batch of ${TASKS + others}: ${before.toFixed(0)} B each as records, ${after.toFixed(0)} B each in a pack (${(after / before).toFixed(3)})`)
      expect(after).toBeLessThan(before / 3)
    }
  })

  it('waits for tasks that have not arrived, then settles them all', () => {
    const items = flush(0, TASKS)
    const source = new JobDoc(id, new Y.Doc())
    source.transact(() => putReportPack(source, `${REPORT_PACK_PREFIX}x`, makeReportPack(items)!))
    const job = replica(source)
    const index = new JobIndex(job, { ...spec, quorum: 1 })
    expect(reportsIn(index)).toHaveLength(0)
    // Tasks land in two updates: the pack is read once the last of them is here.
    const later = jobWithTasks()
    Y.applyUpdate(job.doc, Y.encodeStateAsUpdate(later.doc))
    expect(reportsIn(index)).toHaveLength(TASKS)
    expect(index.isFinished()).toBe(true)
    expect(index.settledLog()).toHaveLength(TASKS)
  })

  it('makes no pack of reports from two signed batches, or of one task twice', () => {
    const a = flush(0, 4)
    const b = flush(4, 4)
    expect(makeReportPack([...a, ...b])).toBeUndefined()
    expect(makeReportPack([a[0]!, { ...a[1]!, task: a[0]!.task }])).toBeUndefined()
    expect(makeReportPack([])).toBeUndefined()
  })
})

describe('forged report packs yield no report and never throw', () => {
  const items = flush(0, 16, 9)
  const honest = plain(makeReportPack(items)) as ReportPack
  const other = plain(makeReportPack(flush(16, 16, 0, stranger))) as ReportPack
  const forgeries: Record<string, unknown> = {
    'a changed outcome': { ...honest, outcomes: honest.outcomes.map((o, i) => (i === 5 ? addressOf('forged') : o)) },
    'a changed error': { ...honest, outcomes: honest.outcomes.map((o, i) => (i === 3 ? { name: 'RangeError', message: 'other' } : o)) },
    'a changed task': { ...honest, tasks: honest.tasks.map((t, i) => (i === 2 ? '40' : t)) },
    'two tasks swapped': { ...honest, tasks: honest.tasks.map((t, i) => honest.tasks[i === 0 ? 1 : i === 1 ? 0 : i]!) },
    'another signer named': { ...honest, peer: stranger.peer },
    "another batch's signature": { ...honest, sig: other.sig },
    'a changed size': { ...honest, size: honest.size + 1 },
    'a task twice': { ...honest, tasks: honest.tasks.map((t, i) => (i === 1 ? honest.tasks[0]! : t)) },
    'a leaf twice': { ...honest, leaves: honest.leaves.map((l, i) => (i === 1 ? honest.leaves[0]! : l)) },
    'a leaf past the batch': { ...honest, leaves: honest.leaves.map((l, i) => (i === 1 ? honest.size : l)) },
    'a changed node': { ...honest, nodes: `${honest.nodes.slice(0, -4)}AAAA` },
    'nodes cut short': { ...honest, nodes: honest.nodes.slice(0, 43) },
    'nodes not base64url': { ...honest, nodes: `${honest.nodes.slice(0, -1)}!` },
    'no nodes for part of a batch': { ...honest, nodes: '' },
    'misaligned fields': { ...honest, attempts: honest.attempts.slice(1) },
    'a task id outside the job': { ...honest, tasks: honest.tasks.map((t, i) => (i === 0 ? String(TASKS) : t)) },
    'a task id spelled twice': { ...honest, tasks: honest.tasks.map((t, i) => (i === 0 ? `0${t}` : t)) },
    'a negative duration': { ...honest, durations: honest.durations.map((d, i) => (i === 0 ? -1 : d)) },
    'no tasks': { ...honest, tasks: [], leaves: [], outcomes: [], attempts: [], durations: [] },
    'a number': 42,
    'a string': 'pack',
    'null': null,
    'an array': [honest],
    'an empty object': {},
    'nested garbage': { ...honest, outcomes: honest.outcomes.map(() => ({ kind: 'value', result: { $: 1 } })) },
  }

  it.each(Object.entries(forgeries))('%s', (_, forged) => {
    const job = jobWithTasks()
    // A stranger's honest report of a task the forgery names stays.
    const kept = flush(0, 1, 0, stranger)[0]!
    putReport(job, kept.task, kept.report)
    writeRaw(job.reports, `${REPORT_PACK_PREFIX}forged`, forged)
    let index: JobIndex | undefined
    expect(() => (index = new JobIndex(replica(job), spec))).not.toThrow()
    expect(reportsIn(index!).map((r) => r.peer)).toEqual([stranger.peer])
    // Arriving after the index is up, too.
    const live = new JobIndex(jobWithTasks(), spec)
    expect(() => live.job.transact(() => writeRaw(live.job.reports, `${REPORT_PACK_PREFIX}forged`, forged))).not.toThrow()
    expect(reportsIn(live)).toHaveLength(0)
  })

  it('the honest pack the forgeries were made from reads back', () => {
    const job = jobWithTasks()
    writeRaw(job.reports, `${REPORT_PACK_PREFIX}honest`, honest)
    expect(reportsIn(new JobIndex(replica(job), spec))).toHaveLength(16)
  })
})

describe('a donor writes back its own packs', () => {
  it('puts back a pack a stranger deleted or replaced while a task in it is unsettled, at most MAX_REPORT_WRITE_BACKS times', () => {
    const view = new JobIndex(jobWithTasks(), spec)
    const own = new OwnReports(donor.peer)
    const pack = makeReportPack(flush(0, 8))!
    const key = `${REPORT_PACK_PREFIX}${donor.peer}.1`
    view.job.transact(() => putReportPack(view.job, key, pack))
    own.rememberPack(view, key, pack)
    const jobs = (): JobIndex => view
    expect(own.restore(jobs, 0)).toBe(0)
    const raw = (value?: unknown): void =>
      view.job.transact(() => (value === undefined ? (view.job.reports as unknown as Y.Map<unknown>).delete(key) : writeRaw(view.job.reports, key, value)))

    raw()
    expect(own.restore(jobs, 0)).toBe(8)
    expect(view.job.reports.get(key)).toEqual(pack)
    raw({ ...pack, sig: makeReportPack(flush(0, 8, 0, stranger))!.sig })
    expect(own.restore(jobs, 0)).toBe(8)
    expect(view.job.reports.get(key)).toEqual(pack)
    let writes = 2
    for (let round = 0; round < 5; round++) {
      raw()
      writes += own.restore(jobs, 0) / 8
    }
    expect(writes).toBe(MAX_REPORT_WRITE_BACKS)
    expect(view.job.reports.get(key)).toBeUndefined()
  })
})
