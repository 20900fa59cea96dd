import { describe, expect, it } from 'vitest'
import type { SimPeer } from '@tessera/core/testing'
import { replicationCost } from './support/trust/adaptive-cost.ts'
import { SimArena } from './support/trust/arena.ts'
import { overwriteCache } from './support/trust/cache-overwrite.ts'
import { countCalls } from './support/trust/lying-donors.ts'

const lie = (value: unknown): unknown => (typeof value === 'number' ? -1 - value : value)
const log = (line: string): void => console.log(`[adaptive replication] ${line}`)

describe('adaptive replication (simulator, the public API)', () => {
  it('costs little on an honest swarm, where full 2-of-3 replication costs double', async () => {
    const adaptive = await replicationCost(41, 3, 400, { adaptive: true })
    const full = await replicationCost(41, 3, 400, { adaptive: false, quorum: 2 })
    const none = await replicationCost(41, 3, 400, { adaptive: false })
    log(`400 tasks, 3 honest donors: runs ${none.runs} unchecked, ${adaptive.runs} adaptive (+${(adaptive.extra * 100).toFixed(1)}%), ${full.runs} at quorum 2 (+${(full.extra * 100).toFixed(1)}%)`)
    for (const run of [adaptive, full, none]) expect(run.right).toBe(400)
    expect(none.runs).toBe(400)
    expect(full.runs).toBeGreaterThanOrEqual(800)
    // Each new subject's first results are checked until it has 10 in a row, then 1 in n.
    expect(adaptive.runs).toBeGreaterThan(400)
    expect(adaptive.extra).toBeLessThan(0.15)
  }, 240_000)

  it('accepts no wrong result from a liar next to an honest donor at the public room default, and a fresh host is served none', async () => {
    const arena = new SimArena({ seed: 7, donors: 1, jobDefaults: { adaptive: true } })
    try {
      const liar = await arena.liar('liar', lie as never)
      // The host computes too: its own results settle what the honest donor and the liar dispute.
      const host = await arena.host('host', 1)
      const xs = Array.from({ length: 80 }, (_, x) => x)
      const count = await countCalls(arena, host, 'square', undefined, xs, 300_000)
      log(`1 honest donor + 1 liar, host with a worker: ${count.wrong} of ${xs.length} wrong accepted, ${count.settled} settled, ${count.flagged} flagged`)
      expect(count).toMatchObject({ wrong: 0, settled: xs.length, flagged: 0 })
      // Proven hostile (3 results that disagreed with accepted ones): the host dropped its link and refuses it.
      expect((host.peer as SimPeer).banned.has(liar.peer.id)).toBe(true)
      expect(arena.sim.network.linked(host.peer.id, liar.peer.id)).toBe(false)
      await liar.leave()
      const fresh = await arena.host('fresh', 1)
      const served = await countCalls(arena, fresh, 'square', undefined, xs, 300_000)
      expect(served).toMatchObject({ wrong: 0, settled: xs.length })
    } finally {
      await arena.close()
    }
  }, 240_000)

  it('serves no lie a stranger signed with its own key into the cache, at the public room default: 0 of 110', async () => {
    const figures = await overwriteCache(new SimArena({ seed: 9, donors: 2, jobDefaults: { adaptive: true } }), { forgery: 'self-signed', log })
    expect(figures.arrived).toBe(figures.forged)
    expect({ host: figures.servedToHost, fresh: figures.servedToFresh, afterDelete: figures.servedAfterDelete, flagged: figures.honestFlagged }).toEqual({ host: 0, fresh: 0, afterDelete: 0, flagged: 0 })
  }, 240_000)

  it('never takes a liar\'s word alone, even with no one to settle the dispute: the calls end with QuorumError', async () => {
    const arena = new SimArena({ seed: 8, donors: 1, jobDefaults: { adaptive: true } })
    try {
      await arena.liar('liar', lie as never)
      const host = await arena.host('host')
      const xs = Array.from({ length: 40 }, (_, x) => x)
      const count = await countCalls(arena, host, 'square', undefined, xs, 60_000)
      log(`1 honest donor + 1 liar, host without workers: ${count.wrong} of ${xs.length} wrong accepted, ${count.undecided} ended with QuorumError, ${xs.length - count.settled} waiting after 60 s`)
      // Nobody can settle the disputes: the calls end (QuorumError) rather than wait for ever, and no honest result is flagged.
      expect(count).toMatchObject({ wrong: 0, right: 0, flagged: 0, undecided: xs.length })
    } finally {
      await arena.close()
    }
  }, 240_000)
})
