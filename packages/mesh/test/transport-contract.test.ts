import { Identity } from '@tessera/core'
import { transportChecks } from '@tessera/core/testing'
import { runContract } from '@tessera/core/testing/vitest'
import { CHANNELS, Mesh } from '@tessera/mesh'
import { nodeRtc, nodeWebSocket } from '@tessera/mesh/node'
import { startSignaling, TEST_LIMITS, waitFor } from './support/swarm.ts'

/** A channel no layer uses: the flush's markers travel on it. */
const BARRIER_CHANNEL = 250

// The mesh's channels are core Transports: they pass the same contract as the
// in-memory and simulated ones, here over real WebRTC between three Node peers.
runContract('Transport contract: mesh channel over WebRTC (Node)', transportChecks, async () => {
  const signaling = await startSignaling()
  const meshes = [0, 1, 2].map(
    () =>
      new Mesh({
        signaling: signaling.url,
        room: 'contract',
        identity: Identity.generate(),
        meta: { kind: 'node' },
        rtc: nodeRtc,
        WebSocket: nodeWebSocket,
        maintainMs: 200,
        limits: TEST_LIMITS,
      }),
  )
  await waitFor('a full mesh', () => meshes.every((m) => m.openPeers().length === 2))
  const [a, b, c] = meshes.map((m) => m.channel(CHANNELS.docs))
  const awaitedMarkers = new Set<string>()
  for (const mesh of meshes) {
    mesh.channel(BARRIER_CHANNEL).onMessage((from, marker) => awaitedMarkers.delete(markerKey(from, mesh.self, marker[0] ?? 0)))
  }
  let round = 0
  return {
    peers: [a!, b!, c!],
    // Nothing to guess: once a link's send queue is empty, everything sent so far
    // is in its ordered data channel, so a marker sent then lands after all of it.
    flush: async () => {
      const open = meshes.filter((m) => !m.closed)
      await waitFor('the send queues to drain', () => open.every((m) => m.queuedBytes() === 0))
      // A closed peer's goodbye has landed when the others no longer link to it.
      await waitFor('the links to match the open peers', () =>
        open.every((m) => sameMembers(m.openPeers(), open.filter((other) => other !== m).map((other) => other.self))),
      )
      round = (round + 1) % 256
      for (const mesh of open) {
        for (const peer of mesh.openPeers()) {
          awaitedMarkers.add(markerKey(mesh.self, peer, round))
          mesh.sendOn(BARRIER_CHANNEL, peer, Uint8Array.of(round))
        }
      }
      await waitFor('every link to carry a marker through', () => awaitedMarkers.size === 0, 30_000)
    },
    teardown: async () => {
      await Promise.all(meshes.map((m) => m.close()))
      await signaling.close()
    },
  }
})

const markerKey = (from: string, to: string, round: number): string => `${from}>${to}#${round}`

function sameMembers(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && expected.every((peer) => actual.includes(peer))
}
