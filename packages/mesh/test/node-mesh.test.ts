import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import type { MeshPeer } from '@tessera/mesh/node'
import { spyOnFrames } from './support/frame-spy.ts'
import { useSwarm, waitFor } from './support/swarm.ts'

const swarm = useSwarm()

describe('the mesh between Node peers (real WebRTC over loopback)', () => {
  it('replicates several documents both ways over one link per pair', async () => {
    const peers = await swarm.start(2, { workers: 3 })
    const [a, b] = peers as [MeshPeer, MeshPeer]
    await waitFor('a link', () => a.mesh.openPeers().length === 1 && b.mesh.openPeers().length === 1)
    a.swarm.doc.getMap('notes').set('from-a', 1)
    b.swarm.doc.getMap('notes').set('from-b', 2)
    const jobA = await a.openDoc('tessera/job/j1')
    const jobB = await b.openDoc('tessera/job/j1')
    jobA.getArray('log').push(['a'])
    jobB.getArray('log').push(['b'])
    await waitFor('both documents to converge', () => {
      return (
        b.swarm.doc.getMap('notes').get('from-a') === 1 &&
        a.swarm.doc.getMap('notes').get('from-b') === 2 &&
        jobA.getArray('log').length === 2 &&
        jobB.getArray('log').length === 2
      )
    })
    expect(jobA.getArray('log').toArray()).toEqual(jobB.getArray('log').toArray())
    expect(a.mesh.openPeers()).toEqual([b.id])
  })

  it('publishes presence: id, kind, workers, load and version', async () => {
    const peers = await swarm.start(3, { workers: 2 })
    const [a, b, c] = peers as [MeshPeer, MeshPeer, MeshPeer]
    b.presence.update({ load: 0.5 })
    await waitFor('presence of all three', () => a.presence.list().length === 3 && a.presence.list().some((p) => p.peer === b.id && p.load === 0.5))
    const seen = a.presence.list()
    expect(seen.map((p) => p.peer).sort()).toEqual([a.id, b.id, c.id].sort())
    for (const record of seen) {
      expect(record).toMatchObject({ kind: 'node', workers: 2, version: '0.1.0' })
    }
    // The signaling server vouches for each peer with a tag for its address (all loopback here: one tag).
    await waitFor('the roster', () => a.roster.originOf(b.id) !== undefined && a.roster.originOf(c.id) !== undefined)
    expect(a.roster.originOf(b.id)).toMatch(/^[\w-]{16}$/)
    expect(a.roster.originOf(c.id)).toBe(a.roster.originOf(b.id))
    expect(b.roster.originOf(a.id)).toBe(a.roster.originOf(b.id))
    // A peer that leaves drops out of everyone's list, and the server no longer vouches for it.
    await c.close()
    // One round after its links close (0.5 s here): well before its record would expire (three rounds and a second: 2.5 s here, 7 s by default).
    const left = Date.now()
    await waitFor('c to leave presence', () => !a.presence.list().some((p) => p.peer === c.id) && !b.presence.list().some((p) => p.peer === c.id), 10_000)
    expect(Date.now() - left).toBeLessThan(1_500)
    await waitFor('c to leave the roster', () => a.roster.originOf(c.id) === undefined)
  })

  it('a restarted Node peer has its documents from disk, with no other peer online', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = await mkdtemp(join(tmpdir(), 'tessera-mesh-'))
    try {
      const [first] = await swarm.start(1, { dir })
      const value = await (first as MeshPeer).values.put({ big: new Uint8Array(50_000).fill(7) })
      ;(first as MeshPeer).swarm.doc.getMap('notes').set('kept', 'yes')
      await (first as MeshPeer).close()
      const [again] = await swarm.start(1, { dir })
      expect((again as MeshPeer).swarm.doc.getMap('notes').get('kept')).toBe('yes')
      expect(await (again as MeshPeer).values.get(value)).toEqual({ big: new Uint8Array(50_000).fill(7) })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('never sends a data-channel message over 64 KiB, even for a 5 MB update', async () => {
    const peers = await swarm.start(2)
    const [a, b] = peers as [MeshPeer, MeshPeer]
    await waitFor('a link', () => a.mesh.openPeers().length === 1)
    const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => i % 251)
    a.swarm.doc.getMap('notes').set('big', big)
    await waitFor('the 5 MB update', () => b.swarm.doc.getMap('notes').get('big') !== undefined)
    expect(Buffer.compare(b.swarm.doc.getMap('notes').get('big') as Uint8Array, big)).toBe(0)
    expect(Y.encodeStateVector(a.swarm.doc)).toEqual(Y.encodeStateVector(b.swarm.doc))
  })

  it('drops and bans a peer that sends malformed frames', async () => {
    const spy = spyOnFrames()
    const [liar] = await swarm.start(1, { rtc: spy.rtc })
    const [honest] = await swarm.start(1)
    await waitFor('a link', () => (honest as MeshPeer).mesh.openPeers().length === 1)
    const open = spy.channels.filter((c) => c.readyState === 'open')
    expect(open).toHaveLength(1)
    ;(open[0] as RTCDataChannel).send(Uint8Array.of(7, 7, 7, 7))
    await waitFor('the link to drop', () => (honest as MeshPeer).mesh.openPeers().length === 0)
    // Both keep looking for peers every 300 ms, yet no new link forms.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect((honest as MeshPeer).mesh.openPeers()).toEqual([])
    expect((liar as MeshPeer).mesh.openPeers()).toEqual([])
  })
})
