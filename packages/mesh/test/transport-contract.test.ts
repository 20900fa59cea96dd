import { transportChecks } from '@tessera/core/testing'
import { runContract } from '@tessera/core/testing/vitest'
import { CHANNELS, Mesh } from '@tessera/mesh'
import { nodeRtc, nodeWebSocket } from '@tessera/mesh/node'
import { startSignaling, TEST_LIMITS, waitFor } from './support/swarm.ts'

// The mesh's channels are core Transports: they pass the same contract as the
// in-memory and simulated ones, here over real WebRTC between three Node peers.
runContract('Transport contract: mesh channel over WebRTC (Node)', transportChecks, async () => {
  const signaling = await startSignaling()
  const meshes = [0, 1, 2].map(
    () =>
      new Mesh({
        signaling: signaling.url,
        room: 'contract',
        meta: { kind: 'node' },
        rtc: nodeRtc,
        WebSocket: nodeWebSocket,
        maintainMs: 200,
        limits: TEST_LIMITS,
      }),
  )
  await waitFor('a full mesh', () => meshes.every((m) => m.openPeers().length === 2))
  const [a, b, c] = meshes.map((m) => m.channel(CHANNELS.docs))
  return {
    peers: [a!, b!, c!],
    // A real network has nothing to flush: wait until every queue has drained,
    // then give the last frames a moment to land. The checks call this until
    // what they wait for has arrived, so the moment need not cover a slow run.
    flush: async () => {
      await waitFor('the send queues to drain', () => meshes.every((m) => m.queuedBytes() === 0))
      await new Promise((resolve) => setTimeout(resolve, 100))
    },
    teardown: async () => {
      await Promise.all(meshes.map((m) => m.close()))
      await signaling.close()
    },
  }
})
