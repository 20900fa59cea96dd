import { describe, expect, it } from 'vitest'
import { useSwarm, waitFor } from './support/swarm.ts'

const PEERS = 30
const MAX_PEERS = 6

const swarm = useSwarm()

describe('a partial mesh', () => {
  it(`${PEERS} peers with at most ${MAX_PEERS} links each converge through gossip`, async () => {
    const peers = await swarm.start(PEERS, { maxPeers: MAX_PEERS })
    await waitFor('every peer to have a link', () => peers.every((p) => p.mesh.openPeers().length > 0), 30_000)
    peers.forEach((peer, i) => peer.swarm.doc.getMap('roll').set(peer.id, i))
    const took = await waitFor(
      'every peer to see every entry',
      () => peers.every((p) => p.swarm.doc.getMap('roll').size === PEERS),
      60_000,
    )
    const degrees = peers.map((p) => p.mesh.openPeers().length)
    console.info(`partial mesh: ${PEERS} peers converged in ${took} ms; links per peer ${Math.min(...degrees)}–${Math.max(...degrees)}`)
    // An isolated newcomer may be taken in beyond the cap, by at most two.
    expect(Math.max(...degrees)).toBeLessThanOrEqual(MAX_PEERS + 2)
    // Nobody is linked to everyone: what converged, converged by gossip.
    expect(Math.max(...degrees)).toBeLessThan(PEERS - 1)
    for (const peer of peers) {
      expect(Object.fromEntries(peer.swarm.doc.getMap('roll').entries())).toEqual(Object.fromEntries(peers.map((p, i) => [p.id, i])))
    }
    // Presence gossips through the same partial mesh.
    await waitFor('presence of everyone everywhere', () => peers.every((p) => p.presence.list().length === PEERS), 30_000)
  })
})
