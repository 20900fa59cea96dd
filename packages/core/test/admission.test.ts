import * as prng from 'lib0/prng'
import { describe, expect, it } from 'vitest'
import {
  AdmissionBook,
  asJobId,
  asPeerId,
  Identity,
  definePure,
  JobTracker,
  publishJob,
  Roster,
  type AdmissionQuota,
  type JobEntry,
  type PeerId,
} from '@tessera/core'
import { SimClock, SimPeer, SimulatedNetwork } from '@tessera/core/testing'

const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
const QUOTA: AdmissionQuota = { maxOpenJobs: 4, maxOpenTasks: 1_000, maxOpenBytes: 1 << 30, addressMultiple: 2 }

function job(id: string, submittedBy: string, createdAt: number, taskCount = 10): JobEntry {
  return {
    id: asJobId(id),
    fn: square.address,
    name: 'square',
    taskCount,
    quorum: 1,
    maxAttempts: 3,
    maxLostLeases: 8,
    leaseMs: 10_000,
    timeoutMs: 60_000,
    submittedBy: asPeerId(submittedBy),
    createdAt,
    state: 'open',
    // The book counts entries the swarm document already checked; these never go through a document.
    sig: 'unchecked',
  }
}

function admittedOf(book: AdmissionBook, jobs: readonly JobEntry[]): string[] {
  return jobs.filter((j) => book.admits(j.id)).map((j) => j.id)
}

describe('admission counts submitters as the signaling server vouches for them', () => {
  it('names nobody vouches for share one quota, however many are invented', () => {
    const roster = new Roster()
    const book = new AdmissionBook(QUOTA, asPeerId('me'), roster)
    const invented = Array.from({ length: 200 }, (_, i) => job(`fake-${i}`, `name-${i}`, i))
    book.refresh(invented.map((j) => [j.id, j]))
    // Counted by `submittedBy` alone, each of the 200 names would have had a quota of its own: 200 admitted.
    expect(admittedOf(book, invented)).toEqual(['fake-0', 'fake-1', 'fake-2', 'fake-3'])
    console.log(`[admission] 200 jobs under 200 invented names: ${admittedOf(book, invented).length} admitted (quota ${QUOTA.maxOpenJobs})`)
  })

  it('connections from one address share a multiple of one quota; other addresses are untouched', () => {
    const roster = new Roster()
    const sybils = ['s0', 's1', 's2'].map(asPeerId)
    roster.replace([...sybils.map((s): [PeerId, string] => [s, 'addr-m']), [asPeerId('alice'), 'addr-a']])
    const book = new AdmissionBook(QUOTA, asPeerId('me'), roster)
    const flood = sybils.flatMap((s, k) => Array.from({ length: 5 }, (_, i) => job(`${s}-${i}`, s, k * 10 + i)))
    const honest = [job('alice-0', 'alice', 100), job('alice-1', 'alice', 101)]
    const mine = Array.from({ length: 10 }, (_, i) => job(`me-${i}`, 'me', 200 + i, 5_000))
    book.refresh([...flood, ...honest, ...mine].map((j) => [j.id, j]))
    // Each connection gets at most 4 jobs, and the address 2 × 4 between them, oldest first.
    expect(admittedOf(book, flood)).toEqual(['s0-0', 's0-1', 's0-2', 's0-3', 's1-0', 's1-1', 's1-2', 's1-3'])
    expect(admittedOf(book, honest)).toEqual(['alice-0', 'alice-1'])
    // A peer's own jobs are never refused.
    expect(admittedOf(book, mine)).toHaveLength(10)
  })

  it('follows the roster: a name that joins gets its own quota, one that leaves goes back to the shared one', () => {
    const roster = new Roster()
    const book = new AdmissionBook(QUOTA, asPeerId('me'), roster)
    const strangers = Array.from({ length: 6 }, (_, i) => job(`j${i}`, `p${i}`, i))
    book.refresh(strangers.map((j) => [j.id, j]))
    expect(admittedOf(book, strangers)).toEqual(['j0', 'j1', 'j2', 'j3'])
    roster.set(asPeerId('p5'), 'addr-5')
    expect(book.rosterChanged([asPeerId('p5')])).toEqual(['j5'])
    expect(admittedOf(book, strangers)).toEqual(['j0', 'j1', 'j2', 'j3', 'j5'])
    roster.set(asPeerId('p0'), 'addr-0')
    // p0 leaves the shared bucket, so the next unvouched job in line (j4) fits there now.
    expect(book.rosterChanged([asPeerId('p0')]).sort()).toEqual(['j4'])
    roster.delete(asPeerId('p5'))
    expect(book.rosterChanged([asPeerId('p5')])).toEqual(['j5'])
    expect(admittedOf(book, strangers)).toEqual(['j0', 'j1', 'j2', 'j3', 'j4'])
    // A finished job frees its place.
    expect(book.refresh([[asJobId('j1'), undefined]])).toEqual(['j5'])
  })

  it('on the simulator: a flood under invented names and from one address opens only the quota on a victim', async () => {
    const clock = new SimClock()
    const random = prng.create(7)
    const network = new SimulatedNetwork(clock, random)
    const peer = (id: string, origin: string): SimPeer => new SimPeer({ name: id, network, clock, random, origin, syncIntervalMs: 500 })
    const victim = peer('victim', 'addr-v')
    const tracker = new JobTracker(victim, { clock, admission: QUOTA, dropAfterMs: Number.POSITIVE_INFINITY })
    const mallory = peer('mallory', 'addr-m')
    const sybil = peer('sybil', 'addr-m')
    const alice = peer('alice', 'addr-a')
    let created = 0
    const publish = (writer: SimPeer, id: string, submitter: Identity): void => publishJob(writer.swarm, job(id, submitter.peer, created++), submitter)
    for (let i = 0; i < 100; i++) publish(mallory, `invented-${i}`, Identity.fromSeed(`nobody-${i}`))
    for (let i = 0; i < 6; i++) publish(mallory, `mallory-${i}`, mallory.identity)
    for (let i = 0; i < 6; i++) publish(sybil, `sybil-${i}`, sybil.identity)
    for (let i = 0; i < 3; i++) publish(alice, `alice-${i}`, alice.identity)
    const total = 115
    await clock.runUntil(() => [...victim.swarm.jobEntries()].length === total && tracker.openJobs().length >= 15, 60_000)
    // Then a while longer, so any over-admission would have time to show.
    const settled = clock.now() + 5_000
    await clock.runUntil(() => clock.now() >= settled, settled + 1_000)
    const open = tracker.openJobs().map((index) => index.spec.id as string)
    const of = (prefix: string): number => open.filter((id) => id.startsWith(prefix)).length
    expect([of('invented-'), of('mallory-'), of('sybil-'), of('alice-')]).toEqual([4, 4, 4, 3])
    console.log(`[admission] simulator: 100 invented names, 2 connections from one address (6 jobs each), 1 honest peer (3): victim opened ${of('invented-')}, ${of('mallory-')} + ${of('sybil-')}, ${of('alice-')}`)
    // Mallory's invented name shows up for real, from its own address: it gets a quota of its own.
    peer('nobody-99', 'addr-z')
    await clock.runUntil(() => tracker.openJobs().some((index) => index.spec.id === 'invented-99'), clock.now() + 10_000)
    tracker.close()
    for (const p of [victim, mallory, sybil, alice]) await p.close()
  })
})
