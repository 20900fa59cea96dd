import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addressOf,
  addTasks,
  asJobId,
  checkClaim,
  checkFailure,
  claimTask,
  Identity,
  JOB_DEFAULTS,
  JobDoc,
  JobIndex,
  lapsedLease,
  leasesToRenew,
  recordFailure,
  renewClaim,
  signClaims,
  taskKeyOf,
  taskPhase,
  type Claim,
  type ClaimTerms,
  type JobSpec,
  type PeerId,
  type TaskKey,
} from '@tessera/core'
import { SimClock, signedClaim, signedTimeout } from '@tessera/core/testing'

// Claims and failures belong to their claimant (issue 14, item 3): what readers count.
const alice = Identity.fromSeed('claims-alice')
const bob = Identity.fromSeed('claims-bob')
const mallory = Identity.fromSeed('claims-mallory')
const FN = addressOf('claims-fn')
const JOB = asJobId('claims-job')
const keyOf = (task: number | string): TaskKey => taskKeyOf(FN, addressOf({ i: Number(task) }))
const spec = (overrides: Partial<JobSpec> = {}): JobSpec => ({ ...JOB_DEFAULTS, id: JOB, fn: FN, name: 'fn', taskCount: 4, submittedBy: alice.peer, createdAt: 0, leaseMs: 1_000, ...overrides })
const terms = (attempt = 1, claimedAt = 0, leaseUntil = 1_000): Omit<ClaimTerms, 'peer'> => ({ attempt, claimedAt, leaseUntil, batch: 1 })
const claimBy = (identity: Identity, task = '0', attempt = 1, claimedAt = 0, leaseUntil = 1_000): Claim => signedClaim(identity, JOB, task, keyOf(task), terms(attempt, claimedAt, leaseUntil))

function makeIndex(overrides: Partial<JobSpec> = {}, subjects?: Record<string, string>, clock?: SimClock): JobIndex {
  const job = new JobDoc(JOB, new Y.Doc())
  const made = spec(overrides)
  job.transact(() => addTasks(job, Array.from({ length: made.taskCount }, (_, i) => ({ index: i, key: keyOf(i), args: addressOf({ i }) }))))
  const lookup = subjects === undefined ? undefined : { subjectOf: (peer: PeerId) => subjects[peer], onChange: () => () => {} }
  return new JobIndex(job, made, lookup, undefined, clock)
}

describe('claims count only with their claimant\'s signature', () => {
  it('a signed claim counts; one without a proof, or in another\'s name, does not', () => {
    const claim = claimBy(alice)
    expect(checkClaim('0', claim, spec(), keyOf(0))).toBe(claim)
    const { proof: _, ...unsigned } = claim
    expect(checkClaim('0', unsigned, spec(), keyOf(0))).toBeUndefined()
    // Mallory signs a claim and puts Alice's name on it.
    expect(checkClaim('0', { ...claimBy(mallory), peer: alice.peer }, spec(), keyOf(0))).toBeUndefined()
  })

  it('an altered claim does not count: lease, attempt, batch or claim time changed', () => {
    const claim = claimBy(alice)
    for (const altered of [{ leaseUntil: 1e12 }, { attempt: 2 }, { batch: 7 }, { claimedAt: 5 }]) {
      expect(checkClaim('0', { ...claim, ...altered }, spec(), keyOf(0))).toBeUndefined()
    }
  })

  it('a claim replayed into another task, another job or under another task key does not count', () => {
    const claim = claimBy(alice, '0')
    expect(checkClaim('1', claim, spec(), keyOf(1))).toBeUndefined()
    expect(checkClaim('0', claim, spec({ id: asJobId('another-job') }), keyOf(0))).toBeUndefined()
    expect(checkClaim('0', claim, spec(), keyOf(3))).toBeUndefined()
  })

  it('one signature covers a transaction\'s claims, and each stands alone', () => {
    const claims = signClaims(alice, JOB, ['0', '1', '2', '3'].map((task) => ({ task, key: keyOf(task), terms: { ...terms(), peer: alice.peer } })))
    expect(new Set(claims.map((claim) => claim.proof.sig)).size).toBe(1)
    claims.forEach((claim, i) => expect(checkClaim(String(i), claim, spec(), keyOf(i))).toBe(claim))
    expect(checkClaim('1', claims[0], spec(), keyOf(1))).toBeUndefined()
  })

  it('the scheduler ignores a forged claim: the task is not held by the peer it names', () => {
    const index = makeIndex()
    claimTask(index.job, '0', { ...claimBy(mallory, '0', 1, 0, 1e12), peer: bob.peer })
    expect(index.claim('0')).toBeUndefined()
    expect(taskPhase(index, '0', 10)).toEqual({ phase: 'queued', attempt: 1 })
  })
})

describe('a timeout counts only signed by the claimant it names', () => {
  it('signed by the claimant: counts; by anyone else, altered, or replayed onto another attempt or task: does not', () => {
    const timeout = signedTimeout(alice, JOB, '0', keyOf(0), 1)
    expect(checkFailure('0', '1', timeout, spec(), keyOf(0))).toBe(timeout)
    expect(checkFailure('0', '1', { ...signedTimeout(mallory, JOB, '0', keyOf(0), 1), peer: alice.peer }, spec(), keyOf(0))).toBeUndefined()
    expect(checkFailure('0', '1', { ...timeout, error: { name: 'TaskTimeoutError', message: 'other' } }, spec(), keyOf(0))).toBeUndefined()
    expect(checkFailure('0', '1', { ...timeout, error: { ...timeout.error, stack: 'at forged' } }, spec(), keyOf(0))).toBeUndefined()
    expect(checkFailure('0', '2', { ...timeout, attempt: 2 }, spec(), keyOf(0))).toBeUndefined()
    expect(checkFailure('1', '1', timeout, spec(), keyOf(1))).toBeUndefined()
    const { proof: _, ...unsigned } = timeout
    expect(checkFailure('0', '1', unsigned, spec(), keyOf(0))).toBeUndefined()
  })

  it('maxAttempts forged timeouts fail nothing; signed ones do', () => {
    const index = makeIndex({ maxAttempts: 2 })
    for (const attempt of [1, 2]) recordFailure(index.job, '0', { ...signedTimeout(mallory, JOB, '0', keyOf(0), attempt), peer: bob.peer })
    expect(taskPhase(index, '0', 0)).toEqual({ phase: 'queued', attempt: 1 })
    for (const attempt of [1, 2]) recordFailure(index.job, '1', signedTimeout(bob, JOB, '1', keyOf(1), attempt))
    expect(taskPhase(index, '1', 0)).toMatchObject({ phase: 'failed', error: { name: 'TaskTimeoutError' } })
  })
})

describe('a lost lease counts only with the lapsed claim, signed, and once its lease has passed', () => {
  it('carrying the claimant\'s signed claim: counts; a forged claim, another peer\'s, another attempt or another error: does not', () => {
    const lapse = lapsedLease(claimBy(alice), 2_000)
    expect(checkFailure('0', '1', lapse, spec(), keyOf(0))).toBe(lapse)
    expect(checkFailure('0', '1', lapsedLease({ ...claimBy(mallory), peer: alice.peer }, 2_000), spec(), keyOf(0))).toBeUndefined()
    expect(checkFailure('0', '1', { ...lapse, peer: bob.peer }, spec(), keyOf(0))).toBeUndefined()
    expect(checkFailure('0', '2', { ...lapse, attempt: 2 }, spec(), keyOf(0))).toBeUndefined()
    expect(checkFailure('0', '1', { ...lapse, error: { name: 'LeaseExpiredError', message: 'anything' } }, spec(), keyOf(0))).toBeUndefined()
    const { lapsed: _, ...bare } = lapse
    expect(checkFailure('0', '1', bare, spec(), keyOf(0))).toBeUndefined()
    // Replayed into another task.
    expect(checkFailure('1', '1', lapse, spec(), keyOf(1))).toBeUndefined()
  })

  it('a lapse of a lease that has not passed by the reader\'s clock does not count yet (expired leases do)', () => {
    const index = makeIndex({ maxLostLeases: 1 })
    recordFailure(index.job, '0', lapsedLease(claimBy(alice, '0', 1, 0, 5_000), 100))
    // Within the allowance for the recorder's clock (a quarter lease here), and no further.
    expect(taskPhase(index, '0', 4_700)).toEqual({ phase: 'queued', attempt: 1 })
    expect(taskPhase(index, '0', 4_750)).toMatchObject({ phase: 'failed', error: { name: 'LeaseExpiredError' } })
  })

  it('a lapse of a lease its claimant renewed since, as this reader saw, never counts, even if the renewal is then overwritten', () => {
    const index = makeIndex({ maxLostLeases: 1 })
    const first = claimBy(alice, '0', 1, 0, 1_000)
    claimTask(index.job, '0', first)
    renewClaim(index.job, '0', claimBy(alice, '0', 1, 0, 1_600))
    // Mallory hides the renewal and records the first lease as lost.
    claimTask(index.job, '0', { ...claimBy(mallory), peer: alice.peer }, lapsedLease(first, 1_100))
    expect(index.claim('0')).toBeUndefined()
    expect(index.failures('0')).toEqual([])
    expect(taskPhase(index, '0', 10_000)).toEqual({ phase: 'queued', attempt: 1 })
    // The renewed lease itself lapses: that lapse counts.
    recordFailure(index.job, '0', lapsedLease(claimBy(alice, '0', 1, 0, 1_600), 2_000))
    expect(taskPhase(index, '0', 10_000)).toMatchObject({ phase: 'failed' })
  })

  it('a reader whose clock lagged settles the task once the lapsed lease passes here', async () => {
    const clock = new SimClock()
    const index = makeIndex({ maxLostLeases: 1 }, undefined, clock)
    const settled: string[] = []
    index.onSettled((task) => settled.push(task))
    recordFailure(index.job, '2', lapsedLease(claimBy(alice, '2', 1, 0, 5_000), 5_100))
    expect(settled).toEqual([])
    await clock.runUntil(() => settled.length > 0, 10_000)
    expect(settled).toEqual(['2'])
    expect(clock.now()).toBeGreaterThan(4_000)
    expect(clock.now()).toBeLessThanOrEqual(5_000)
  })
})

describe('lost leases and timeouts count per subject for strangers of a public network', () => {
  const subjects = { [alice.peer]: 'net:one', [mallory.peer]: 'net:one', [bob.peer]: 'net:two' }

  it('one net: subject claiming and abandoning a task 8 times, under two keys, is one lost lease', () => {
    const index = makeIndex({ maxLostLeases: 2 }, subjects)
    for (let attempt = 1; attempt <= 8; attempt++) recordFailure(index.job, '0', lapsedLease(claimBy(attempt % 2 === 0 ? alice : mallory, '0', attempt, 0, 1_000), 2_000))
    expect(taskPhase(index, '0', 10_000)).toMatchObject({ phase: 'queued', attempt: 9 })
    // A second subject's lost lease makes two.
    recordFailure(index.job, '0', lapsedLease(claimBy(bob, '0', 9, 0, 1_000), 2_000))
    expect(taskPhase(index, '0', 10_000)).toMatchObject({ phase: 'failed', error: { name: 'LeaseExpiredError' } })
  })

  it('timeouts the same way; subjects a room vouches for (tokens, local:) count per attempt, so one of them still gives up on a task', () => {
    const index = makeIndex({ maxAttempts: 2 }, subjects)
    for (const attempt of [1, 2, 3]) recordFailure(index.job, '0', signedTimeout(mallory, JOB, '0', keyOf(0), attempt))
    expect(taskPhase(index, '0', 0).phase).toBe('queued')
    const vouched = makeIndex({ maxAttempts: 2 }, { [alice.peer]: 'local:machine' })
    for (const attempt of [1, 2]) recordFailure(vouched.job, '0', signedTimeout(alice, JOB, '0', keyOf(0), attempt))
    expect(taskPhase(vouched, '0', 0)).toMatchObject({ phase: 'failed', error: { name: 'TaskTimeoutError' } })
  })

  it('a key with no subject fails nothing', () => {
    const index = makeIndex({ maxAttempts: 1 }, {})
    recordFailure(index.job, '0', signedTimeout(alice, JOB, '0', keyOf(0), 1))
    expect(taskPhase(index, '0', 0).phase).toBe('queued')
  })
})

describe('a claimant writes back the claim a stranger overwrote', () => {
  it('renews at once a held claim overwritten by something that is no claim, but leaves a valid claim of another peer alone', () => {
    const index = makeIndex()
    const own = claimBy(alice, '0', 1, 0, 1_000)
    claimTask(index.job, '0', { ...own, proof: { ...own.proof, sig: claimBy(mallory).proof.sig } })
    claimTask(index.job, '1', claimBy(bob, '1'))
    const mine = new Map([['0', own], ['1', claimBy(alice, '1')]])
    expect(leasesToRenew(index, ['0', '1'], alice.peer, 100, 1_000, (task) => mine.get(task))).toEqual([
      { task: '0', claim: { peer: alice.peer, attempt: 1, claimedAt: 0, leaseUntil: 1_100, batch: 1 } },
    ])
  })
})
