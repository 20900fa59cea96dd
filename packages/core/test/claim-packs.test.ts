import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addressOf,
  addTasks,
  asJobId,
  checkClaim,
  checkFailure,
  claimPackClaims,
  claimTask,
  holdsClaim,
  Identity,
  isClaimPackKey,
  JOB_DEFAULTS,
  JobDoc,
  JobIndex,
  lapsedLease,
  makeClaimPack,
  OwnClaims,
  signClaims,
  taskKeyOf,
  taskPhase,
  type Claim,
  type ClaimDecision,
  type ClaimPack,
  type JobSpec,
  type TaskKey,
} from '@tessera/core'
import { writeRaw } from './support/forge.ts'

// Claims per batch (issue 15, item 2): a donor's claims of one transaction as one record.
const alice = Identity.fromSeed('claim-pack-alice')
const bob = Identity.fromSeed('claim-pack-bob')
const mallory = Identity.fromSeed('claim-pack-mallory')
const FN = addressOf('claim-pack-fn')
const JOB = asJobId('claim-pack-job')
const TASKS = 64
const LEASE = 1_000
const keyOf = (task: number | string): TaskKey => taskKeyOf(FN, addressOf({ i: Number(task) }))
const spec: JobSpec = { ...JOB_DEFAULTS, id: JOB, fn: FN, name: 'fn', taskCount: TASKS, submittedBy: bob.peer, createdAt: 0, leaseMs: LEASE }

function makeIndex(id = JOB, made: JobSpec = spec): JobIndex {
  const job = new JobDoc(id, new Y.Doc())
  job.transact(() => addTasks(job, Array.from({ length: made.taskCount }, (_, i) => ({ index: i, key: keyOf(i), args: addressOf({ i }) }))))
  return new JobIndex(job, made)
}

/** Another process's copy: every record decoded afresh, so nothing it holds was checked before. */
function replica(index: JobIndex): JobIndex {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(index.job.doc))
  return new JobIndex(new JobDoc(index.spec.id, doc), index.spec)
}

const decisions = (tasks: readonly number[], now = 0, attempt = 1): ClaimDecision[] =>
  tasks.map((task) => ({ task: String(task), claim: { peer: alice.peer, attempt, claimedAt: now, leaseUntil: now + LEASE, batch: 4 } }))

/** Bytes of the update that `write` makes on `index`'s document. */
function updateBytes(index: JobIndex, write: () => void): number {
  let bytes = 0
  const count = (update: Uint8Array): void => {
    bytes += update.byteLength
  }
  index.job.doc.on('update', count)
  write()
  index.job.doc.off('update', count)
  return bytes
}

const all = Array.from({ length: TASKS }, (_, i) => i)

describe('a transaction\'s claims written as one pack', () => {
  it('read back on another peer as the same claims, each proof standing alone, for a fraction of the bytes', () => {
    const packed = makeIndex()
    const own = new OwnClaims(alice, 1)
    const bytes = updateBytes(packed, () => own.write(packed, decisions(all), 0))
    const claimKeys = [...packed.job.claims.keys()]
    expect(claimKeys.filter(isClaimPackKey)).toHaveLength(1)
    const there = replica(packed)
    for (const task of all.map(String)) {
      const claim = there.claim(task)!
      expect(claim).toMatchObject({ peer: alice.peer, attempt: 1, claimedAt: 0, leaseUntil: LEASE, batch: 4 })
      // A claim out of a pack is a claim like any other: it stands alone, in its own task only.
      expect(checkClaim(task, JSON.parse(JSON.stringify(claim)), spec, keyOf(task))).toBeDefined()
      expect(checkClaim(String((Number(task) + 1) % TASKS), JSON.parse(JSON.stringify(claim)), spec, keyOf((Number(task) + 1) % TASKS))).toBeUndefined()
      expect(holdsClaim(there, task, alice.peer, 1)).toBe(true)
      expect(taskPhase(there, task, 10)).toMatchObject({ phase: 'running', claim: { peer: alice.peer } })
    }
    // The same claims one record each.
    const single = makeIndex()
    const claims = signClaims(alice, JOB, all.map((i) => ({ task: String(i), key: keyOf(i), terms: decisions([i])[0]!.claim })))
    const singleBytes = updateBytes(single, () => single.job.transact(() => claims.forEach((claim, i) => claimTask(single.job, String(i), claim))))
    console.log(`[claim packs] ${TASKS} claims: ${bytes} B as a pack, ${singleBytes} B as records (${(bytes / TASKS).toFixed(0)} against ${(singleBytes / TASKS).toFixed(0)} B each)`)
    expect(bytes).toBeLessThan(singleBytes / 5)
  })

  it('concurrent packs naming one task leave the same claim standing on every peer, and the loser sees it lost', () => {
    const a = makeIndex()
    const b = replica(a)
    new OwnClaims(alice, 1).write(a, decisions([0, 1, 2]), 0)
    new OwnClaims(bob, 1).write(b, decisions([2, 3]).map((d) => ({ ...d, claim: { ...d.claim, peer: bob.peer } })), 0)
    Y.applyUpdate(a.job.doc, Y.encodeStateAsUpdate(b.job.doc))
    Y.applyUpdate(b.job.doc, Y.encodeStateAsUpdate(a.job.doc))
    const winner = a.claim('2')!.peer
    expect(b.claim('2')!.peer).toBe(winner)
    expect([alice.peer, bob.peer]).toContain(winner)
    expect(holdsClaim(a, '2', alice.peer, 1)).toBe(winner === alice.peer)
    expect(holdsClaim(a, '2', bob.peer, 1)).toBe(winner === bob.peer)
    for (const index of [a, b]) {
      expect(index.claim('0')!.peer).toBe(alice.peer)
      expect(index.claim('3')!.peer).toBe(bob.peer)
    }
  })

  it('packs of different donors, even hundreds started at one instant, and of one donor restarted, have keys of their own', () => {
    const keys = new Set<string>()
    const firstKey = (identity: Identity, startedAt: number): string => {
      const index = makeIndex()
      new OwnClaims(identity, startedAt).write(index, decisions([0]), 0)
      return index.job.claims.get('0') as string
    }
    for (let i = 0; i < 200; i++) keys.add(firstKey(Identity.fromSeed(`donor ${i}`), 1_000))
    keys.add(firstKey(Identity.fromSeed('donor 0'), 61_000))
    expect(keys.size).toBe(201)
  })

  it('a renewal rewrites the pack alone, extends the held tasks\' leases and lets the others lapse', () => {
    const index = makeIndex()
    const own = new OwnClaims(alice, 1)
    own.write(index, decisions(all), 0)
    const before = index.job.claims.size
    // Tasks 0–9 are done: only the rest are still held, past half their lease.
    const slots = all.slice(10).map((task) => ({ job: JOB, task: String(task), backup: false }))
    const bytes = updateBytes(index, () => own.renew(slots, () => index, 600))
    expect(index.job.claims.size).toBe(before)
    const there = replica(index)
    expect(there.claim('0')!.leaseUntil).toBe(LEASE)
    expect(there.claim('10')!.leaseUntil).toBe(600 + LEASE)
    expect(there.claim('63')!.leaseUntil).toBe(600 + LEASE)
    expect(bytes).toBeLessThan(1_500)
    // Not yet due: nothing is written.
    expect(updateBytes(index, () => own.renew(slots, () => index, 700))).toBe(0)
  })

  it('a lost lease carries the lapsed claim out of the pack, which any reader checks alone', () => {
    const index = makeIndex()
    new OwnClaims(alice, 1).write(index, decisions([5]), 0)
    const lapsed = index.claim('5')!
    const phase = taskPhase(index, '5', 5_000)
    expect(phase).toMatchObject({ phase: 'queued', attempt: 2, expired: { peer: alice.peer } })
    new OwnClaims(bob, 1).write(index, [{ task: '5', claim: { peer: bob.peer, attempt: 2, claimedAt: 5_000, leaseUntil: 6_000, batch: 1 }, expired: lapsed }], 5_000)
    const there = replica(index)
    expect(there.failures('5')).toMatchObject([{ kind: 'lease-expired', peer: alice.peer, attempt: 1 }])
    expect(checkFailure('5', '1', JSON.parse(JSON.stringify(index.job.failures.get('5/1'))), spec, keyOf(5))).toBeDefined()
    expect(there.claim('5')).toMatchObject({ peer: bob.peer, attempt: 2 })
  })

  it('a lapse recorded by a stranger does not stand once the reader saw the pack renewed', () => {
    const job = makeIndex(JOB, { ...spec, maxLostLeases: 1 })
    const own = new OwnClaims(alice, 1)
    own.write(job, decisions([0]), 0)
    const first = job.claim('0')!
    own.renew([{ job: JOB, task: '0', backup: false }], () => job, 600)
    writeRaw(job.job.failures, '0/1', lapsedLease(first, 1_100))
    expect(job.failures('0')).toEqual([])
    expect(taskPhase(job, '0', 1_200)).toMatchObject({ phase: 'running' })
  })

  it('nor when the renewal of the pack arrives after the lapse was recorded and judged', () => {
    const job = makeIndex(JOB, { ...spec, maxLostLeases: 2 })
    const own = new OwnClaims(alice, 1)
    own.write(job, decisions([0]), 0)
    writeRaw(job.job.failures, '0/1', lapsedLease(job.claim('0')!, 1_100))
    expect(job.failures('0')).toHaveLength(1)
    own.renew([{ job: JOB, task: '0', backup: false }], () => job, 600)
    expect(job.failures('0')).toEqual([])
  })
})

describe('hostile packs and references', () => {
  it('a pack with a bad signature, an altered field, a task twice, or copied into another job yields no claim, and nothing throws', () => {
    const signed = signClaims(alice, JOB, [0, 1, 2].map((i) => ({ task: String(i), key: keyOf(i), terms: decisions([i])[0]!.claim })))
    const pack = makeClaimPack(JOB, signed.map((claim, i) => ({ task: String(i), key: keyOf(i), claim })))!
    const plain = JSON.parse(JSON.stringify(pack)) as ClaimPack
    const keys = (task: string): TaskKey => keyOf(task)
    expect([...claimPackClaims(plain, spec, keys).keys()]).toEqual(['0', '1', '2'])
    const forged: unknown[] = [
      { ...plain, sig: signClaims(mallory, JOB, [{ task: '0', key: keyOf(0), terms: decisions([0])[0]!.claim }])[0]!.proof.sig },
      { ...plain, peer: mallory.peer },
      { ...plain, leases: [LEASE, LEASE * 100, LEASE] },
      { ...plain, attempts: [1, 2, 1] },
      { ...plain, claimedAt: 5 },
      { ...plain, batch: 9 },
      { ...plain, tasks: ['0', '1', '1'] },
      { ...plain, tasks: ['0', '1'] },
      { ...plain, tasks: ['0', '1', String(TASKS)] },
      { ...plain, leases: [LEASE, -1, LEASE] },
      { ...plain, tasks: [] },
      'not a pack',
      null,
      { ...plain, tasks: new Array(5_000).fill('0') },
    ]
    for (const raw of forged) expect(claimPackClaims(raw, spec, keys).size).toBe(0)
    // Another job with the same tasks: the statements name the job.
    expect(claimPackClaims(plain, { ...spec, id: asJobId('another') }, keys).size).toBe(0)
    // A task whose key differs here.
    expect(claimPackClaims(plain, spec, (task) => (task === '1' ? keyOf(9) : keyOf(task))).size).toBe(0)
  })

  it('references to no pack, to junk, or to a pack that does not name the task give no claim', () => {
    const index = makeIndex()
    new OwnClaims(alice, 1).write(index, decisions([0, 1]), 0)
    const packKey = index.job.claims.get('0') as string
    expect(isClaimPackKey(packKey)).toBe(true)
    index.job.transact(() => {
      writeRaw(index.job.claims, '2', packKey)
      writeRaw(index.job.claims, '3', '#nothing-here')
      writeRaw(index.job.claims, '4', '5')
      writeRaw(index.job.claims, '#junk', { tasks: 'no' })
      writeRaw(index.job.claims, '5', '#junk')
    })
    const there = replica(index)
    for (const task of ['2', '3', '4', '5']) {
      expect(there.claim(task)).toBeUndefined()
      expect(taskPhase(there, task, 10)).toMatchObject({ phase: 'queued', attempt: 1 })
    }
    expect(there.claim('1')!.peer).toBe(alice.peer)
  })

  it('a pack a stranger overwrote or deleted is written back by its claimant, on settling and on renewing', () => {
    const index = makeIndex()
    const own = new OwnClaims(alice, 1)
    own.write(index, decisions([0, 1, 2]), 0)
    const packKey = index.job.claims.get('0') as string
    writeRaw(index.job.claims, packKey, { peer: mallory.peer })
    expect(index.claim('0')).toBeUndefined()
    expect(own.holds(index, '0', 1)).toBe(true)
    expect(index.claim('0')).toMatchObject({ peer: alice.peer })
    expect(index.claim('2')).toMatchObject({ peer: alice.peer })
    // Task 1's key is pointed elsewhere, task 2's at nothing: renewing puts them back.
    writeRaw(index.job.claims, '1', '#elsewhere')
    ;(index.job.claims as unknown as Y.Map<unknown>).delete('2')
    own.renew(['0', '1', '2'].map((task) => ({ job: JOB, task, backup: false })), () => index, 100)
    for (const task of ['0', '1', '2']) expect(replica(index).claim(task)).toMatchObject({ peer: alice.peer, leaseUntil: 100 + LEASE })
    // A valid claim of another peer won: it is left alone.
    new OwnClaims(bob, 1).write(index, [{ task: '1', claim: { peer: bob.peer, attempt: 1, claimedAt: 0, leaseUntil: LEASE, batch: 1 } }], 0)
    own.renew(['0', '1'].map((task) => ({ job: JOB, task, backup: false })), () => index, 700)
    expect(index.claim('1')!.peer).toBe(bob.peer)
    expect(own.holds(index, '1', 1)).toBe(false)
  })

  it('a pack altered in one replica gives no claims there, while the writer\'s own copy still does', () => {
    const index = makeIndex()
    new OwnClaims(alice, 1).write(index, decisions(all), 0)
    const key = index.job.claims.get('0') as string
    const raw = index.job.claims.get(key) as ClaimPack
    // Tampering with the replica's copy breaks it there.
    const there = replica(index)
    const copy = there.job.claims.get(key) as ClaimPack
    expect(copy).not.toBe(raw)
    const broken = { ...copy, leases: copy.leases.map((lease, i) => (i === 7 ? lease + 1 : lease)) }
    writeRaw(there.job.claims, key, broken)
    expect(there.claim('7')).toBeUndefined()
    expect(there.claim('0')).toBeUndefined()
    expect(index.claim('7')).toBeDefined()
    const claim: Claim = index.claim('7')!
    expect(claim.proof.size).toBe(TASKS)
  })
})
