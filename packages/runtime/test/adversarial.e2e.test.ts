// The adversarial suite over the real mesh (docs/trust.md): a real signaling
// server on loopback and Node peers linked by real WebRTC. The attacker is an
// ordinary peer that writes its own replica of the swarm document as raw Yjs;
// the honest host and a fresh host with its own worker then call again.
import { afterEach, describe, expect, it } from 'vitest'
import { overwriteCache } from './support/trust/cache-overwrite.ts'
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
