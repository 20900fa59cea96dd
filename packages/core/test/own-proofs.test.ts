import { afterEach, describe, expect, it } from 'vitest'
import {
  addressOf,
  asJobId,
  definePure,
  Donor,
  ed25519Engine,
  Identity,
  JobDoc,
  JobIndex,
  MemoryBlobStore,
  MemoryExecutor,
  signOutcomes,
  submitJob,
  SwarmDoc,
  taskKeyOf,
  useEd25519Engine,
  ValueStore,
  verifyOutcome,
  type Outcome,
} from '@tessera/core'
import { SimClock } from '@tessera/core/testing'

// Issue 14's cost target (signing at most 10% of dispatch throughput): a donor
// reads every report it writes straight back, and checking its own Merkle
// paths was half of a donating tab's verification time in the dispatch bench.

const [alice, bob] = ['alice', 'bob'].map((name) => Identity.fromSeed(`own-proofs ${name}`)) as [Identity, Identity]
const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
const installed = ed25519Engine()

/** Counts the signature checks that reach the engine (the memos answer the rest). */
function countVerifies(): { readonly count: () => number } {
  let verifies = 0
  useEd25519Engine({
    ...installed,
    name: `counting ${installed.name}`,
    verify: (publicKey, message, signature) => {
      verifies++
      return installed.verify(publicKey, message, signature)
    },
  })
  return { count: () => verifies }
}

afterEach(() => useEd25519Engine(installed))

describe('a writer\'s own outcome proofs', () => {
  it('a donor never checks the reports it signed itself, yet accepts and caches them', async () => {
    const clock = new SimClock()
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const job = new JobDoc(asJobId('own-proofs'))
    const tasks = 20
    const { spec } = await submitJob(swarm, values, { id: job.id, fn: square, argsList: Array.from({ length: tasks }, (_, x) => ({ x })), identity: alice, now: 0, job })
    const index = new JobIndex(job, spec)
    const keys = Array.from({ length: tasks }, (_, i) => index.task(String(i))!.key)
    // The submitter's job entry is checked here, before counting starts.
    expect([...swarm.jobEntries()].map((e) => e.id)).toEqual([job.id])
    const engine = countVerifies()

    const donor = new Donor({ identity: bob, swarm, values, executor: new MemoryExecutor(), jobs: () => index, clock, random: () => 0 })
    donor.start()
    await clock.runUntil(() => keys.every((key) => swarm.cached(key) !== undefined), 60_000)
    donor.stop()

    expect(keys.map((_, i) => index.reports(String(i)).map((r) => r.peer))).toEqual(keys.map(() => [bob.peer]))
    expect(keys.map((key) => swarm.cached(key)?.proofs.map((p) => p.peer))).toEqual(keys.map(() => [bob.peer]))
    // Without the remembered proofs, reading them back checked the batch signature at least once.
    expect(engine.count()).toBe(0)
    index.close()
  })

  it('remembers only the exact statements signed: another outcome, key or signer is checked in full and refused', () => {
    const keyOf = (i: number) => taskKeyOf(addressOf('fn'), addressOf({ i }))
    const valueOf = (v: unknown): Outcome => ({ kind: 'value', result: addressOf(v) })
    const items = [0, 1, 2].map((i) => ({ key: keyOf(i), outcome: valueOf(i * i) }))
    const proofs = signOutcomes(bob, items, { remember: true })
    const engine = countVerifies()
    items.forEach(({ key, outcome }, i) => expect(verifyOutcome(bob.peer, key, outcome, proofs[i]!)).toBe(true))
    expect(engine.count()).toBe(0)

    expect(verifyOutcome(bob.peer, keyOf(1), valueOf(2), proofs[1]!)).toBe(false)
    expect(verifyOutcome(bob.peer, keyOf(2), items[1]!.outcome, proofs[1]!)).toBe(false)
    expect(verifyOutcome(alice.peer, keyOf(1), items[1]!.outcome, proofs[1]!)).toBe(false)
    expect(engine.count()).toBe(3)
  })

  it('signing without `remember` leaves the proofs to be checked', () => {
    const key = taskKeyOf(addressOf('fn'), addressOf({ i: 'unremembered' }))
    const outcome: Outcome = { kind: 'value', result: addressOf('unremembered') }
    const [proof] = signOutcomes(bob, [{ key, outcome }])
    const engine = countVerifies()
    expect(verifyOutcome(bob.peer, key, outcome, proof!)).toBe(true)
    expect(engine.count()).toBe(1)
  })
})
