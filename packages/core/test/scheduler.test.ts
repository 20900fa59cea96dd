import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  acceptedOutcome,
  addTasks,
  claimTask,
  putReport,
  recordFailure,
  startBackup,
  addressOf,
  asJobId,
  Identity,
  taskKeyOf,
  holdsClaim,
  JOB_DEFAULTS,
  JobDoc,
  JobIndex,
  lapsedLease,
  leasesToRenew,
  median,
  nextBatchSize,
  selectClaims,
  selectStragglers,
  taskPhase,
  type Claim,
  type JobSpec,
  type Report,
  type TaskKey,
  type PeerId,
} from '@tessera/core'
import { signedClaim, signedReport, signedTimeout } from '@tessera/core/testing'

const IDENTITIES = ['peer-a', 'peer-b', 'peer-c'].map((name) => Identity.fromSeed(name))
const [A, B, C] = IDENTITIES.map((identity) => identity.peer) as [PeerId, PeerId, PeerId]
const FN = addressOf('fn')
/** Task keys as the job's function and arguments make them (readers ignore any other). */
const keyOf = (task: number | string): TaskKey => taskKeyOf(FN, addressOf({ i: Number(task) }))

function makeJob(taskCount: number, overrides: Partial<JobSpec> = {}, doc = new Y.Doc()): JobIndex {
  const id = asJobId('job-1')
  const spec: JobSpec = {
    ...JOB_DEFAULTS,
    id,
    fn: FN,
    name: 'fn',
    taskCount,
    submittedBy: A,
    createdAt: 0,
    ...overrides,
  }
  const job = new JobDoc(id, doc)
  job.transact(() => {
    for (let i = 0; i < taskCount; i++) addTasks(job, [{ index: i, key: keyOf(i), args: addressOf({ i }) }])
  })
  return new JobIndex(job, spec)
}

const UNCHECKED_PROOF = { leaf: 0, size: 1, path: '', sig: '' }

const identityOf = (peer: PeerId): Identity => IDENTITIES.find((identity) => identity.peer === peer)!
/** `peer`'s claim of `task`, signed as its donor signs it. */
const claim = (peer: typeof A, attempt: number, at: number, leaseMs = 1_000, batch = 1, task: number | string = 0): Claim =>
  signedClaim(identityOf(peer), asJobId('job-1'), String(task), keyOf(task), { attempt, claimedAt: at, leaseUntil: at + leaseMs, batch })
/** Claims `task` in the view's document as `claim(...)` would. */
const claimAs = (view: JobIndex, task: string, peer: PeerId, attempt: number, at: number, leaseMs?: number, batch?: number): void =>
  claimTask(view.job, task, claim(peer, attempt, at, leaseMs, batch, task))
/** `peer`'s signed report of `value` for task `task`. */
const report = (peer: PeerId, value: unknown, durationMs = 10, task: number | string = 0): Report =>
  signedReport(IDENTITIES.find((identity) => identity.peer === peer)!, keyOf(task), { kind: 'value', result: addressOf(value) }, { durationMs })

describe('acceptedOutcome', () => {
  it('accepts an outcome once quorum distinct peers agree', () => {
    expect(acceptedOutcome([report(A, 1)], 1)).toEqual({ kind: 'value', result: addressOf(1) })
    expect(acceptedOutcome([report(A, 1)], 2)).toBeUndefined()
    expect(acceptedOutcome([report(A, 1), report(A, 1)], 2)).toBeUndefined()
    expect(acceptedOutcome([report(A, 1), report(B, 2)], 2)).toBeUndefined()
    expect(acceptedOutcome([report(A, 1), report(B, 2), report(C, 1)], 2)).toEqual({ kind: 'value', result: addressOf(1) })
  })

  it('picks the same outcome on every peer whatever the order of reports', () => {
    const reports = [report(A, 1), report(B, 2)]
    expect(acceptedOutcome(reports, 1)).toEqual(acceptedOutcome([...reports].reverse(), 1))
  })

  it('treats thrown errors as outcomes that must agree too', () => {
    const thrown = (peer: typeof A, message: string): Report => ({
      peer,
      attempt: 1,
      outcome: { kind: 'thrown', error: { name: 'RangeError', message } },
      proof: UNCHECKED_PROOF,
      durationMs: 1,
      at: 0,
    })
    expect(acceptedOutcome([thrown(A, 'x'), thrown(B, 'y')], 2)).toBeUndefined()
    expect(acceptedOutcome([thrown(A, 'x'), thrown(B, 'x')], 2)).toMatchObject({ kind: 'thrown' })
  })
})

describe('taskPhase', () => {
  it('follows a task from queued to running to done', () => {
    const view = makeJob(1)
    expect(taskPhase(view, '0', 0)).toEqual({ phase: 'queued', attempt: 1 })
    claimAs(view, '0', A, 1, 0)
    expect(taskPhase(view, '0', 500)).toMatchObject({ phase: 'running' })
    putReport(view.job, '0', report(A, 7))
    expect(taskPhase(view, '0', 500)).toEqual({ phase: 'done', outcome: { kind: 'value', result: addressOf(7) } })
  })

  it('re-queues a task whose lease lapsed, as the next attempt', () => {
    const view = makeJob(1)
    claimAs(view, '0', A, 1, 0, 1_000)
    expect(taskPhase(view, '0', 1_000)).toMatchObject({ phase: 'running' })
    expect(taskPhase(view, '0', 1_001)).toMatchObject({ phase: 'queued', attempt: 2, expired: { peer: A } })
    expect(taskPhase(view, '0', 1_001, { skewMs: 500 })).toMatchObject({ phase: 'running' })
  })

  it('marks a task failed after maxAttempts timeouts, with the last error, and never retries it again', () => {
    const view = makeJob(1, { maxAttempts: 2 })
    const timeout = (attempt: number) => signedTimeout(identityOf(A), view.spec.id, '0', keyOf(0), attempt)
    recordFailure(view.job, '0', timeout(1))
    expect(taskPhase(view, '0', 0)).toEqual({ phase: 'queued', attempt: 2 })
    recordFailure(view.job, '0', timeout(2))
    expect(taskPhase(view, '0', 0)).toEqual({ phase: 'failed', error: { name: 'TaskTimeoutError', message: 'attempt 2' } })
    expect(selectClaims(view, { self: B, now: 0, limit: 10, leaseMs: 1_000 }).decisions).toEqual([])
  })

  it('bounds lost leases separately, so churn alone can also end a task', () => {
    const view = makeJob(1, { maxLostLeases: 2 })
    for (const attempt of [1, 2]) recordFailure(view.job, '0', lapsedLease(claim(attempt === 1 ? A : B, attempt, 0, 1_000), 2_000))
    expect(taskPhase(view, '0', 2_000)).toMatchObject({ phase: 'failed', error: { name: 'LeaseExpiredError' } })
  })

  it('lets another peer run a task for quorum once the claimant has reported', () => {
    const view = makeJob(1, { quorum: 2 })
    claimAs(view, '0', A, 1, 0)
    putReport(view.job, '0', report(A, 1))
    expect(taskPhase(view, '0', 10)).toMatchObject({ phase: 'queued' })
    expect(selectClaims(view, { self: A, now: 10, limit: 1, leaseMs: 1_000 }).decisions).toEqual([])
    expect(selectClaims(view, { self: B, now: 10, limit: 1, leaseMs: 1_000 }).decisions).toHaveLength(1)
  })
})

describe('claims', () => {
  it('claims up to the batch limit, skipping running and finished tasks', () => {
    const view = makeJob(5)
    claimAs(view, '1', B, 1, 0)
    putReport(view.job, '2', report(B, 2, 10, 2))
    const { decisions } = selectClaims(view, { self: A, now: 10, limit: 10, leaseMs: 1_000 })
    expect(decisions.map((d) => d.task).sort()).toEqual(['0', '3', '4'])
    expect(decisions[0]?.claim).toMatchObject({ peer: A, attempt: 1, leaseUntil: 1_010 })
  })

  it('says when to look again if nothing is claimable', () => {
    const view = makeJob(2)
    claimAs(view, '0', B, 1, 0, 1_000)
    claimAs(view, '1', B, 1, 0, 3_000)
    expect(selectClaims(view, { self: A, now: 10, limit: 5, leaseMs: 1_000 })).toEqual({ decisions: [], retryAt: 1_001 })
  })

  it('resolves concurrent claims of one task the same way on every peer', () => {
    const docA = new Y.Doc()
    const docB = new Y.Doc()
    docA.clientID = 1
    docB.clientID = 2
    const viewA = makeJob(1, {}, docA)
    const viewB = new JobIndex(new JobDoc(viewA.spec.id, docB), viewA.spec)
    Y.applyUpdate(docB, Y.encodeStateAsUpdate(docA))
    // Both claim before hearing of the other.
    claimAs(viewA, '0', A, 1, 0)
    claimAs(viewB, '0', B, 1, 0)
    Y.applyUpdate(docA, Y.encodeStateAsUpdate(docB))
    Y.applyUpdate(docB, Y.encodeStateAsUpdate(docA))
    const winners = [viewA.claim('0')?.peer, viewB.claim('0')?.peer]
    expect(winners[0]).toBe(winners[1])
    expect(winners[0]).toBe(B) // the higher clientID wins in Yjs
    expect(holdsClaim(viewA, '0', A, 1)).toBe(false)
    expect(holdsClaim(viewB, '0', B, 1)).toBe(true)
  })

  it('renews only its own claims, once they are half spent', () => {
    const view = makeJob(3)
    claimAs(view, '0', A, 1, 0, 1_000)
    claimAs(view, '1', A, 1, 400, 1_000)
    claimAs(view, '2', B, 1, 0, 1_000)
    const renewals = leasesToRenew(view, ['0', '1', '2'], A, 600, 1_000)
    expect(renewals).toEqual([{ task: '0', claim: { peer: A, attempt: 1, claimedAt: 0, leaseUntil: 1_600, batch: 1 } }])
  })
})

describe('stragglers', () => {
  it('picks tasks running far longer than their batch should take, not those merely queued behind it', () => {
    const view = makeJob(8)
    for (let i = 0; i < 5; i++) putReport(view.job, String(i), report(C, i, 100, i))
    claimAs(view, '5', B, 1, 0, 60_000, 1) // alone in its batch: overdue after 200 ms (2× the median)
    claimAs(view, '6', B, 1, 0, 60_000, 10) // one of ten: may wait 2 s
    claimAs(view, '7', A, 1, 0, 60_000, 1) // our own
    expect(selectStragglers(view, { self: A, now: 150 })).toEqual([])
    expect(selectStragglers(view, { self: A, now: 300 })).toEqual(['5'])
    startBackup(view.job, '5', { peer: C, startedAt: 300 })
    expect(selectStragglers(view, { self: A, now: 1_900 })).toEqual([])
    expect(selectStragglers(view, { self: A, now: 2_500 })).toEqual(['6'])
  })

  it('waits for enough samples before trusting the median', () => {
    const view = makeJob(2)
    putReport(view.job, '0', report(C, 0, 1))
    claimAs(view, '1', B, 1, 0, 60_000)
    expect(selectStragglers(view, { self: A, now: 10_000 })).toEqual([])
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
  })
})

describe('nextBatchSize', () => {
  it('gives tiny tasks large batches and long tasks small ones', () => {
    const base = { targetBatchMs: 1_000, workers: 1, queued: 100_000, peers: 2 }
    expect(nextBatchSize({ ...base, recentDurationsMs: [] })).toBe(1)
    expect(nextBatchSize({ ...base, recentDurationsMs: [1, 1, 1] })).toBe(256)
    expect(nextBatchSize({ ...base, recentDurationsMs: [100, 100] })).toBe(10)
    expect(nextBatchSize({ ...base, recentDurationsMs: [5_000] })).toBe(1)
    expect(nextBatchSize({ ...base, workers: 4, recentDurationsMs: [100] })).toBe(40)
  })

  it('never takes more than a fair share of what is left', () => {
    expect(nextBatchSize({ targetBatchMs: 1_000, workers: 1, queued: 30, peers: 10, recentDurationsMs: [1] })).toBe(3)
  })
})
