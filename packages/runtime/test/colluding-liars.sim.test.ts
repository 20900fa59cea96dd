// Scenario 2 (docs/trust.md): colluding liars, distinct subjects telling one
// lie, that answer at once and scan for work ten times as often as honest
// donors. Before replicas were designated (scheduler/designation.ts) such
// liars took most replicas and so met each other on most tasks: here 78 of
// 124 runs and 34 of 40 lies accepted; 2 of 20 subjects, in the bench, ran 65%
// of the runs and got 61% of 6,000 tasks wrong. Now the hash, not their
// speed, picks whom a replica goes to: 28 of 103 runs, 3 of 40 wrong.
import { describe, expect, it } from 'vitest'
import { useEd25519Engine } from '@tessera/core'
import { nodeEd25519 } from '@tessera/mesh/node'
import { liarShare } from './support/trust/liar-share.ts'

useEd25519Engine(nodeEd25519)

describe('colluding fast liars (scenario 2)', () => {
  it('get about their share of replicas, not more, and few lies accepted', async () => {
    const figures = await liarShare({ seed: 21, honest: 8, liars: 2, collude: true, fast: true, tasks: 40, quorum: 2, log: (line) => console.log(`[trust] ${line}`) })
    expect(figures.settled).toBe(40)
    expect(figures.flagged).toBe(0)
    // 2 of 10 subjects: 20% of the runs if pairing ignores speed (seeds 21–23: 27%, 25%, 21%).
    // Backup ranks and the tail let them a little past it; without designation, 63–65%.
    expect(figures.liarRuns / figures.runs).toBeLessThan(0.35)
    // Random pairing (both liars among a task's first 3 subjects): 3·2/(10·9) = 6.7%, 2.7 of 40.
    expect(figures.wrong).toBeLessThanOrEqual(8)
  })
})
