import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { encodeMessage, SWARM_DOC_GUID, type PeerId } from '@tessera/core'
import { CHANNELS } from '@tessera/mesh'
import { useSwarm, waitFor } from './support/swarm.ts'

const swarm = useSwarm()

/** Peers over real WebRTC: what a hostile one sends on the documents channel gets it dropped and banned. */
describe('a hostile mesh peer', () => {
  for (const attack of ['random bytes', 'a 50 MB update', 'a truncated update'] as const) {
    it(`sending ${attack} is dropped and banned, and the victim's event loop stays responsive`, async () => {
      const banned: Array<{ peer: PeerId; error: unknown; at: number }> = []
      const [victim] = await swarm.start(1, { onBannedPeer: (peer, error) => banned.push({ peer, error, at: Date.now() }) })
      const [attacker] = await swarm.start(1)
      if (victim === undefined || attacker === undefined) throw new Error('peers did not start')
      await waitFor('a link', () => victim.mesh.openPeers().includes(attacker.id) && attacker.mesh.openPeers().includes(victim.id))
      const payload = hostilePayload(attack)
      const lag = monitorEventLoopDelay({ resolution: 5 })
      lag.enable()
      const sentAt = Date.now()
      attacker.mesh.channel(CHANNELS.docs).send(victim.id, payload)
      const droppedMs = await waitFor('the attacker dropped', () => banned.length > 0 && !victim.mesh.openPeers().includes(attacker.id), 30_000)
      // Banned: the mesh does not link to it again, though signaling still lists it.
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      lag.disable()
      const worst = lag.max / 1e6
      console.info(
        `hostile peer (${attack}, ${(payload.byteLength / 1e6).toFixed(2)} MB): dropped ${droppedMs} ms after sending (${(banned[0]?.at ?? 0) - sentAt} ms to the report), ` +
          `${(banned[0]?.error as Error).name}; worst event-loop lag ${worst.toFixed(1)} ms; heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
      )
      expect(banned.map((b) => b.peer)).toEqual([attacker.id])
      expect(victim.mesh.openPeers()).not.toContain(attacker.id)
      expect(worst).toBeLessThan(250)
      // The victim's swarm document is untouched, and it still links to honest peers.
      expect(['blobs', 'm'].filter((name) => victim.swarm.doc.share.has(name))).toEqual([])
      const [honest] = await swarm.start(1)
      await waitFor('an honest link', () => victim.mesh.openPeers().includes((honest as { id: PeerId }).id))
    })
  }
})

function hostilePayload(attack: 'random bytes' | 'a 50 MB update' | 'a truncated update'): Uint8Array {
  if (attack === 'random bytes') return Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)
  const doc = new Y.Doc()
  if (attack === 'a 50 MB update') {
    doc.transact(() => {
      for (let i = 0; i < 48; i++) doc.getMap('blobs').set(`b${i}`, new Uint8Array(1024 * 1024).fill(i))
    })
    return encodeMessage({ type: 'update', doc: SWARM_DOC_GUID, update: Y.encodeStateAsUpdate(doc) })
  }
  doc.transact(() => {
    for (let i = 0; i < 1000; i++) doc.getMap('m').set(`k${i}`, `value ${i}`)
  })
  const update = Y.encodeStateAsUpdate(doc)
  return encodeMessage({ type: 'update', doc: SWARM_DOC_GUID, update: update.subarray(0, update.byteLength >> 1) })
}
