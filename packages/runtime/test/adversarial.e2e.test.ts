// The adversarial suite over the real mesh (docs/trust.md): a real signaling
// server on loopback and Node peers linked by real WebRTC. The attacker is an
// ordinary peer that writes its own replica of the swarm document as raw Yjs;
// the honest host and a fresh host with its own worker then call again.
import { afterEach, describe, expect, it } from 'vitest'
import { overwriteCache } from './support/trust/cache-overwrite.ts'
import { countCalls } from './support/trust/lying-donors.ts'
import { MeshArena } from './support/trust/mesh-arena.ts'

const log = (line: string): void => console.log(`[trust, mesh] ${line}`)
let arena: MeshArena | undefined
afterEach(async () => {
  await arena?.close()
  arena = undefined
})

describe('overwriting the cache over the real mesh (50 overwritten results, 10 forged errors, 50 entries in advance; then 60 deletes)', () => {
  it.each(['unsigned', 'stolen'] as const)('%s forgeries (hostile-peers.ts, forgeEntry): 0 of 110 served to the host or a fresh host, and every honest entry comes back', async (forgery) => {
    arena = await MeshArena.start({ donors: 1 })
    const figures = await overwriteCache(arena, { forgery, log })
    expect(figures.arrived).toBe(figures.forged)
    expect([figures.servedToHost, figures.servedToFresh, figures.servedAfterDelete, figures.honestFlagged]).toEqual([0, 0, 0, 0])
    expect(figures.restored).toBe(figures.forged)
    expect(figures.restoredAfterDelete).toBe(figures.deleted)
  })
})

describe('adaptive replication over the real mesh (each peer its own subject through a token)', () => {
  it('1 honest donor + 1 liar, the host with a worker: 0 wrong accepted, every call settled, and a fresh host is served no lie', async () => {
    arena = await MeshArena.start({ donors: 1, subjects: true, jobDefaults: { adaptive: true } })
    const liar = await arena.liar('liar', (value) => (typeof value === 'number' ? -1 - value : value))
    const host = await arena.host('host', 1)
    const xs = Array.from({ length: 30 }, (_, x) => x)
    const count = await countCalls(arena, host, 'square', undefined, xs, 60_000)
    // Without adaptive replication (quorum 1) the same run accepted 9 of 30 lies.
    log(`adaptive, 1 honest + 1 liar: ${count.wrong} of ${xs.length} wrong, ${count.settled} settled, ${count.flagged} flagged`)
    expect(count).toMatchObject({ wrong: 0, settled: xs.length, flagged: 0 })
    await liar.leave()
    const fresh = await arena.host('fresh', 1)
    expect(await countCalls(arena, fresh, 'square', undefined, xs, 60_000)).toMatchObject({ wrong: 0, settled: xs.length })
  })
})
