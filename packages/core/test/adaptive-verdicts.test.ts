import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addressOf,
  addTasks,
  asJobId,
  canRun,
  claimTask,
  Identity,
  JOB_DEFAULTS,
  JobDoc,
  JobIndex,
  putReport,
  putVerdict,
  selectClaims,
  signVerdicts,
  taskKeyOf,
  taskPhase,
  VERDICT_WAIT_MS,
  verifyOutcome,
  type JobSpec,
  type Outcome,
  type TaskKey,
  type VerdictRecord,
} from '@tessera/core'
import { signedClaim, signedReport } from '@tessera/core/testing'

const submitter = Identity.fromSeed('submitter')
const donor = Identity.fromSeed('donor')
const other = Identity.fromSeed('other-donor')
const stranger = Identity.fromSeed('stranger')
const FN = addressOf('fn')
const keyOf = (task: number): TaskKey => taskKeyOf(FN, addressOf({ i: task }))
const value = (v: unknown): Outcome => ({ kind: 'value', result: addressOf(v) })

function adaptiveJob(taskCount = 4, overrides: Partial<JobSpec> = {}): JobIndex {
  const id = asJobId('adaptive-1')
  const spec: JobSpec = { ...JOB_DEFAULTS, quorum: 2, replication: 'adaptive', id, fn: FN, name: 'fn', taskCount, submittedBy: submitter.peer, createdAt: 0, ...overrides }
  const job = new JobDoc(id, new Y.Doc())
  job.transact(() => addTasks(job, Array.from({ length: taskCount }, (_, i) => ({ index: i, key: keyOf(i), args: addressOf({ i }) }))))
  return new JobIndex(job, spec)
}

const reportBy = (identity: Identity, task: number, outcome: Outcome, at = 1_000) => signedReport(identity, keyOf(task), outcome, { at })
const verdict = (signer: Identity, index: JobIndex, leaves: Array<{ task: number; outcome?: Outcome }>): VerdictRecord =>
  signVerdicts(signer, { ...index.spec, submittedBy: signer.peer }, leaves.map(({ task, outcome }) => ({ task: String(task), key: keyOf(task), ...(outcome === undefined ? {} : { outcome }) }))).record

describe('adaptive jobs: the submitter\'s verdicts', () => {
  it('leaves a reported task to the submitter for a while, then lets another subject run it', () => {
    const index = adaptiveJob()
    putReport(index.job, '0', reportBy(donor, 0, value(1)))
    expect(taskPhase(index, '0', 1_500)).toEqual({ phase: 'judging', until: 1_000 + VERDICT_WAIT_MS })
    expect(selectClaims(index, { self: other.peer, now: 1_500, limit: 4, leaseMs: 1_000 }).decisions.map((d) => d.task)).not.toContain('0')
    // Past the wait, the submitter said nothing (it left): full replication, never one stranger's word.
    const later = taskPhase(index, '0', 1_000 + VERDICT_WAIT_MS + 1)
    expect(later.phase).toBe('queued')
    expect(canRun(index, '0', other.peer, later)).toBe(true)
    expect(canRun(index, '0', donor.peer, later)).toBe(false)
  })

  it('accepts a reported outcome on the submitter\'s signed verdict, and at once queues a task it asks to check', () => {
    const index = adaptiveJob()
    putReport(index.job, '0', reportBy(donor, 0, value(1)))
    putReport(index.job, '1', reportBy(donor, 1, value(2)))
    putVerdict(index.job, 'v1', verdict(submitter, index, [{ task: 0, outcome: value(1) }, { task: 1 }]))
    expect(taskPhase(index, '0', 1_500)).toEqual({ phase: 'done', outcome: value(1) })
    expect(index.settledLog()).toEqual(['0'])
    const checked = taskPhase(index, '1', 1_500)
    expect(checked.phase).toBe('queued')
    expect(canRun(index, '1', other.peer, checked)).toBe(true)
    // The check's run agrees: two subjects, quorum.
    putReport(index.job, '1', reportBy(other, 1, value(2)))
    expect(taskPhase(index, '1', 1_600)).toEqual({ phase: 'done', outcome: value(2) })
  })

  it('ignores verdicts that are not the submitter\'s word: a stranger\'s, an edited one, one for an outcome nobody reported, one in a job without adaptive replication', () => {
    const index = adaptiveJob()
    putReport(index.job, '0', reportBy(donor, 0, value(1)))
    putVerdict(index.job, 's', verdict(stranger, index, [{ task: 0, outcome: value(1) }]))
    const genuine = verdict(submitter, index, [{ task: 0, outcome: value(666) }, { task: 1, outcome: value(7) }])
    putVerdict(index.job, 'e', { ...genuine, leaves: [{ task: '0', outcome: value(1) }, genuine.leaves[1]!] })
    expect(taskPhase(index, '0', 1_500).phase).toBe('judging')
    putVerdict(index.job, 'g', genuine)
    // Signed, but no report carries 666: nothing to accept.
    expect(taskPhase(index, '0', 1_500).phase).toBe('judging')

    const full = adaptiveJob(4, { replication: undefined })
    putReport(full.job, '0', reportBy(donor, 0, value(1)))
    putVerdict(full.job, 'v', verdict(submitter, full, [{ task: 0, outcome: value(1) }]))
    expect(taskPhase(full, '0', 1_500).phase).toBe('queued')
  })

  it('reads a verdict that arrives before its tasks once they do', () => {
    const id = asJobId('adaptive-1')
    const spec: JobSpec = { ...JOB_DEFAULTS, quorum: 2, replication: 'adaptive', id, fn: FN, name: 'fn', taskCount: 2, submittedBy: submitter.peer, createdAt: 0 }
    const job = new JobDoc(id, new Y.Doc())
    const index = new JobIndex(job, spec)
    putVerdict(job, 'early', signVerdicts(submitter, spec, [{ task: '0', key: keyOf(0), outcome: value(1) }]).record)
    putReport(job, '0', reportBy(donor, 0, value(1)))
    expect(index.verdict('0')).toBeUndefined()
    job.transact(() => addTasks(job, [{ index: 0, key: keyOf(0), args: addressOf({ i: 0 }) }]))
    expect(index.verdict('0')).toEqual({ accepted: value(1), check: false })
    expect(taskPhase(index, '0', 1_500).phase).toBe('done')
  })

  it('reads back a record signed in this process only under the task keys it was signed with', () => {
    const index = adaptiveJob()
    putReport(index.job, '0', reportBy(donor, 0, value(1)))
    putReport(index.job, '1', reportBy(donor, 1, value(2)))
    // Signed here, but naming task 1's key for task 0: the full check refuses it.
    const misfiled = signVerdicts(submitter, index.spec, [{ task: '0', key: keyOf(1), outcome: value(1) }]).record
    putVerdict(index.job, 'm', misfiled)
    expect(index.verdict('0')).toBeUndefined()
    const own = signVerdicts(submitter, index.spec, [{ task: '1', key: keyOf(1), outcome: value(2) }]).record
    putVerdict(index.job, 'o', own)
    expect(index.verdict('1')).toEqual({ accepted: value(2), check: false })
    // The accepting leaf's proof, as a cache entry carries it, holds; the same proof with another path does not.
    const [proof] = signVerdicts(submitter, index.spec, [{ task: '2', key: keyOf(2), outcome: value(3) }, { task: '3', key: keyOf(3), outcome: value(4) }]).proofs.values()
    expect(verifyOutcome(submitter.peer, keyOf(2), value(3), proof!)).toBe(true)
    const otherPath = `${proof!.path.slice(0, -2)}${proof!.path.endsWith('AA') ? 'Ag' : 'AA'}`
    expect(verifyOutcome(submitter.peer, keyOf(2), value(3), { ...proof!, path: otherPath })).toBe(false)
    expect(verifyOutcome(submitter.peer, keyOf(2), value(4), proof!)).toBe(false)
    // Signed here by someone other than the job's submitter: refused as before.
    putVerdict(index.job, 's', signVerdicts(stranger, index.spec, [{ task: '0', key: keyOf(0), outcome: value(1) }]).record)
    expect(index.verdict('0')).toBeUndefined()
  })

  it('does not hold back a task whose reports disagree, or a current replica claim', () => {
    const index = adaptiveJob()
    putReport(index.job, '0', reportBy(donor, 0, value(1)))
    putReport(index.job, '0', reportBy(other, 0, value(2)))
    expect(taskPhase(index, '0', 1_500).phase).toBe('queued')
    putReport(index.job, '1', reportBy(donor, 1, value(1)))
    claimTask(index.job, '1', signedClaim(other, index.spec.id, '1', keyOf(1), { attempt: 2, claimedAt: 1_400, leaseUntil: 3_000, batch: 1 }))
    expect(taskPhase(index, '1', 1_500).phase).toBe('running')
  })

  it('does not wait on a report dated far from now (a liar\'s clock)', () => {
    const index = adaptiveJob()
    putReport(index.job, '0', reportBy(donor, 0, value(1), 1e12))
    expect(taskPhase(index, '0', 1_500).phase).toBe('queued')
  })
})
