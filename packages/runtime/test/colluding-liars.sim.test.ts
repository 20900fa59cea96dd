// Scenario 2 (docs/trust.md): colluding liars, distinct subjects telling one
// lie, that answer at once and scan for work ten times as often as honest
// donors. Before replicas were designated (scheduler/designation.ts) such
// liars took most replicas and so met each other on most tasks: here 94 of
// 197 runs and 20 of 60 lies accepted; 2 of 20 subjects, in the bench, ran 65%
// of the runs and got 61% of 6,000 tasks wrong. Now the hash, not their
// speed, picks whom a replica goes to: 38 of 152 runs, 4 of 60 wrong.
import { describe, expect, it } from 'vitest'
import { useEd25519Engine } from '@tessera/core'
import { nodeEd25519 } from '@tessera/mesh/node'
import { liarShare } from './support/trust/liar-share.ts'

useEd25519Engine(nodeEd25519)

describe('colluding fast liars (scenario 2)', () => {
  it('get about their share of replicas, not more, and few lies accepted', async () => {
    const figures = await liarShare({ seed: 21, honest: 8, liars: 2, collude: true, fast: true, tasks: 60, quorum: 2, log: (line) => console.log(`[trust] ${line}`) })
    expect(figures.settled).toBe(60)
    expect(figures.flagged).toBe(0)
    // 2 of 10 subjects: 20% of the runs if pairing ignores speed. Backup ranks
    // and the tail let them a little past it; without designation they took most.
    expect(figures.liarRuns / figures.runs).toBeLessThan(0.3)
    // Random pairing (both liars among a task's first 3 subjects): 3·2/(10·9) = 6.7%, 4 of 60.
    expect(figures.wrong).toBeLessThanOrEqual(8)
  })
})
