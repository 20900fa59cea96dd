import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { MeshPeer } from '@tessera/mesh/node'
import { TEST_LIMITS, useSwarm, waitFor } from './support/swarm.ts'

const swarm = useSwarm()
let child: ChildProcess | undefined

afterEach(() => {
  child?.kill('SIGKILL')
})

const roll = (peer: MeshPeer) => peer.swarm.doc.getMap<string>('roll')

describe('churn', () => {
  it('keeps working through a signaling restart, and peers rejoin the restarted server', async () => {
    const peers = await swarm.start(2)
    const [a, b] = peers as [MeshPeer, MeshPeer]
    await waitFor('a link', () => a.mesh.openPeers().length === 1)
    await swarm.stopSignaling()
    await waitFor('both to notice the server is gone', () => !a.mesh.signalingConnected && !b.mesh.signalingConnected)
    // The WebRTC link does not need the server.
    roll(a).set('during-outage', 'a')
    await waitFor('an update over the surviving link', () => roll(b).get('during-outage') === 'a')
    await swarm.restartSignaling()
    await waitFor('both to rejoin the restarted server', () => a.mesh.signalingConnected && b.mesh.signalingConnected, 15_000)
    const [c] = await swarm.start(1)
    await waitFor('the newcomer to link and sync', () => roll(c as MeshPeer).get('during-outage') === 'a' && (c as MeshPeer).mesh.openPeers().length === 2)
  })

  it('drops a peer that dies silently within seconds (heartbeat), and its neighbours carry on', async () => {
    const [a, b] = (await swarm.start(2)) as [MeshPeer, MeshPeer]
    const script = fileURLToPath(new URL('./support/peer-process.ts', import.meta.url))
    child = spawn(process.execPath, ['--import', 'tsx', script, swarm.signaling.url, 'test'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const childId = await new Promise<string>((resolve, reject) => {
      child?.stdout?.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { id: string }).id))
      child?.once('exit', (code) => reject(new Error(`peer process exited with ${code}`)))
    })
    await waitFor('the child peer to link with both', () => a.mesh.openPeers().includes(childId as never) && b.mesh.openPeers().includes(childId as never), 20_000)
    await waitFor("the child's entry", () => roll(a).get(childId) === 'child')
    child.kill('SIGKILL')
    const killedAt = Date.now()
    await waitFor('both to drop the dead peer', () => !a.mesh.openPeers().includes(childId as never) && !b.mesh.openPeers().includes(childId as never), 15_000)
    const detectedMs = Date.now() - killedAt
    console.info(`silent death detected in ${detectedMs} ms (deadAfterMs ${TEST_LIMITS.deadAfterMs})`)
    expect(detectedMs).toBeLessThan(TEST_LIMITS.deadAfterMs + 3_000)
    roll(a).set('after-death', 'a')
    await waitFor('a and b still in sync', () => roll(b).get('after-death') === 'a')
    expect(a.mesh.openPeers()).toEqual([b.id])
  })

  it('converges every document after a partition is injected and healed', async () => {
    const peers = await swarm.start(6)
    await waitFor('a full mesh', () => peers.every((p) => p.mesh.openPeers().length === 5), 20_000)
    const jobs = await Promise.all(peers.map((p) => p.openDoc('tessera/job/partition')))
    const left = peers.slice(0, 3)
    const right = peers.slice(3)
    for (const p of left) p.mesh.cut(right.map((r) => r.id))
    for (const p of right) p.mesh.cut(left.map((l) => l.id))
    peers.forEach((p, i) => {
      roll(p).set(p.id, `side ${i < 3 ? 'left' : 'right'}`)
      ;(jobs[i] as import('yjs').Doc).getArray('log').push([i])
    })
    await waitFor('each side to converge on its own', () => peers.every((p, i) => roll(p).size === 3 && (jobs[i] as import('yjs').Doc).getArray('log').length === 3))
    // Nothing crosses the cut, even after several anti-entropy rounds.
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(peers.map((p) => roll(p).size)).toEqual([3, 3, 3, 3, 3, 3])
    // The cut links went silent and were dropped by the heartbeat.
    expect(peers.every((p) => p.mesh.openPeers().length === 2)).toBe(true)
    for (const p of left) p.mesh.heal(right.map((r) => r.id))
    for (const p of right) p.mesh.heal(left.map((l) => l.id))
    await waitFor('every document to converge after the heal', () => peers.every((p, i) => roll(p).size === 6 && (jobs[i] as import('yjs').Doc).getArray('log').length === 6), 30_000)
    const logs = jobs.map((j) => JSON.stringify(j.getArray('log').toArray()))
    expect(new Set(logs).size).toBe(1)
  })
})
