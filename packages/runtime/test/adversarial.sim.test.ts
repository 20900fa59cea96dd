// The adversarial suite on the simulator (issue 14, item 7; docs/trust.md):
// every attack that today's code closes, in its short form, with its figure.
// Attacks still open (lies a single stranger signs at the default quorum) are measured by `npm run bench -- --only trust`,
// never asserted here. Borrowed peer ids: signaling/test/peer-binding.test.ts.
import { afterEach, describe, expect, it } from 'vitest'
import { useEd25519Engine } from '@tessera/core'
import { nodeEd25519 } from '@tessera/mesh/node'
import { SimArena } from './support/trust/arena.ts'
import { overwriteCache, type OverwriteFigures } from './support/trust/cache-overwrite.ts'
import { launder } from './support/trust/laundering.ts'
import { lyingDonors } from './support/trust/lying-donors.ts'
import { disputedTasks } from './support/trust/disputes.ts'
import { replayedReports } from './support/trust/replayed-reports.ts'
import { strangerStopsJobs } from './support/trust/job-control.ts'
import { forgeFailures } from './support/trust/forged-failures.ts'
import { deletedReports } from './support/trust/deleted-reports.ts'

// Every reader checks signatures; native Ed25519 keeps the suite's seconds for the attacks.
useEd25519Engine(nodeEd25519)

const log = (line: string): void => console.log(`[trust] ${line}`)
const arenas: SimArena[] = []
const arena = (seed: number, donors: number): SimArena => {
  const made = new SimArena({ seed, donors })
  arenas.push(made)
  return made
}
afterEach(async () => {
  for (const made of arenas.splice(0)) await made.close()
})

/** Every forgery arrived, none was served to anyone, and honest writes put every entry back. */
function expectNothingServed(figures: OverwriteFigures): void {
  expect(figures.arrived).toBe(figures.forged)
  expect({ host: figures.servedToHost, fresh: figures.servedToFresh, afterDelete: figures.servedAfterDelete, flagged: figures.honestFlagged }).toEqual({
    host: 0,
    fresh: 0,
    afterDelete: 0,
    flagged: 0,
  })
  expect(figures.restored).toBe(figures.forged)
  expect(figures.restoredAfterDelete).toBe(figures.deleted)
}

describe('overwriting the cache (50 overwritten results, 10 forged errors, 50 entries in advance; then 60 deletes)', () => {
  it('unsigned entries (no proofs, as served to everyone on 2026-11-30, or a made-up signature): 0 of 110 served to the host or a fresh host', async () => {
    expectNothingServed(await overwriteCache(arena(1, 2), { forgery: 'unsigned', log }))
  })

  it('stolen proofs (pinned on lies, relabelled with the attacker\'s id, honest entries replayed under other keys): 0 of 110', async () => {
    expectNothingServed(await overwriteCache(arena(2, 2), { forgery: 'stolen', log }))
  })

  it('lies the attacker signs with its own key are never served to callers that ask for quorum 2: 0 of 110', async () => {
    expectNothingServed(await overwriteCache(arena(3, 2), { forgery: 'self-signed', quorum: 2, log }))
  })
})

describe('laundering', () => {
  it('a job whose task records carry another function\'s task keys gets nothing run, cached or served under them: 0 of 30', async () => {
    const figures = await launder(arena(4, 2), 30, log)
    expect(figures).toEqual({ victimKeys: 30, runs: 0, cachedUnderVictimKeys: 0, wrongServed: 0 })
  })
})

describe('lying donors', () => {
  it('quorum 2 with two honest donors and one liar: 0 of 60 wrong accepted, none flagged', async () => {
    const outvoted = await lyingDonors(arena(5, 2), { quorum: 2, tasks: 60, liars: 1, log })
    expect(outvoted.host).toMatchObject({ settled: 60, right: 60, wrong: 0, flagged: 0 })
  })

  it('one honest donor and one liar at quorum 2: every call ends with QuorumError (was 0 settled, waiting for ever), 0 accepted, 0 flagged; a retry once an honest subject joins settles 60 of 60 right', async () => {
    const figures = await disputedTasks(arena(6, 1), { quorum: 2, tasks: 60, disputeMs: 10_000, limitMs: 30_000, log })
    expect(figures.first).toMatchObject({ settled: 60, undecided: 60, wrong: 0, right: 0, flagged: 0 })
    expect(figures.retry).toMatchObject({ settled: 60, right: 60, wrong: 0, flagged: 0, undecided: 0 })
  })

  it('a liar\'s results, cached at the default quorum, are never served to a fresh host asking for quorum 2: 0 of 60', async () => {
    // The default-quorum run itself is still open (no adaptive replication yet): logged here, measured by the bench.
    const figures = await lyingDonors(arena(7, 1), { quorum: 1, tasks: 60, liars: 1, freshQuorums: [2], log })
    expect(figures.fresh[0]).toMatchObject({ quorum: 2, settled: 60, right: 60, wrong: 0, wrongFromCache: 0 })
  })
})

describe('replayed and re-signed results (scenario 18)', () => {
  it('copies of honest reports, under the copier\'s id or onto other tasks, are never counted: 0, and nothing settles on them', async () => {
    const figures = await replayedReports(arena(8, 1), 60, 20_000, log)
    expect(figures.copiesWritten).toBeGreaterThan(60)
    expect(figures.copiesCounted).toBe(0)
    // One honest donor at quorum 2: only a counted copy could give a call its value.
    expect(figures.oneDonor).toMatchObject({ right: 0, wrong: 0 })
    expect(figures.twoDonors).toMatchObject({ settled: 60, right: 60, wrong: 0, flagged: 0 })
  })

  it('a stranger stops no host\'s job, through stopJob or by raw writes to the job entry and the job document: 0 of 2', async () => {
    const figures = await strangerStopsJobs(arena(9, 2), 1, log)
    expect({ api: figures.stoppedThroughApi, raw: figures.stoppedByRawWrites }).toEqual({ api: 0, raw: 0 })
  })

  it('Sybil keys: one peer reporting a lie under 2 keys of its own never forms a quorum of 2, nor is it served from the cache: 0 of 60', async () => {
    const figures = await lyingDonors(arena(10, 1), { quorum: 2, tasks: 60, sybils: 2, limitMs: 20_000, freshQuorums: [2], log })
    expect(figures.host.wrong).toBe(0)
    expect(figures.fresh.map((fresh) => fresh.wrong)).toEqual([0])
  })

  it('cache entries a Sybil signs with 2 keys of one subject are not served at quorum 2 (0 of 110), and the honest entries of 2 subjects replace them (110 of 110)', async () => {
    const figures = await overwriteCache(arena(11, 2), { forgery: 'sybil', quorum: 2, sybils: 2, sybilSubject: 'mallory', log })
    expect(figures.arrived).toBe(figures.forged)
    expect({ host: figures.servedToHost, fresh: figures.servedToFresh, afterDelete: figures.servedAfterDelete, flagged: figures.honestFlagged }).toEqual({ host: 0, fresh: 0, afterDelete: 0, flagged: 0 })
    // The merge rule weighs subjects: 2 keys of one subject give way to 2 honest subjects (was 10 of 110, only the forged errors).
    expect(figures.restored).toBe(figures.forged)
  })
})

describe('records belong to their writers (issue 14, item 3)', () => {
  it('reports a stranger deletes while their task is unsettled are written back by their reporter: a donor that joins later finds 60 of 60 (was 0), no run is repeated', async () => {
    const figures = await deletedReports(arena(13, 0), 60, log)
    expect(figures.deleted).toBeGreaterThanOrEqual(60)
    expect(figures.foundByLateDonor).toBe(60)
    // Peers that indexed a report keep it, and claims keep the late donor from doubling work: deletes cost no runs here, before or after.
    expect(figures.extraRuns).toBe(0)
    expect(figures.calls).toMatchObject({ settled: 60, right: 60, wrong: 0, flagged: 0 })
  })

  it('forged failures and claims in other peers\' names, and a stranger\'s own abandoned claims and timeouts, flag no honest call: 0 of 60', async () => {
    const figures = await forgeFailures(arena(12, 3), { tasks: 60, log })
    expect({ flagged: figures.flagged, blocked: figures.blocked, wrong: figures.wrong }).toEqual({ flagged: 0, blocked: 0, wrong: 0 })
  })
})
