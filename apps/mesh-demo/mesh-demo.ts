/**
 * The mesh at work, part of `npm start`: three Node peers join the signaling
 * server and link over real WebRTC; a late joiner receives a 50 MB document;
 * a 2 MB value travels as a blob, fetched on demand and checked against its hash.
 */
import * as Y from 'yjs'
import { startNodePeer, type MeshPeer } from '@tessera/mesh/node'
import { fillLargeDoc } from '@tessera/mesh/testing'

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the mesh demo timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export async function meshDemo(signaling: string): Promise<void> {
  console.log(`\n1. The mesh: Node peers over real WebRTC, via ${signaling}`)
  const peers: MeshPeer[] = []
  try {
    for (let i = 0; i < 3; i++) peers.push(await startNodePeer({ signaling, room: 'npm-start-demo', dir: false, workers: i }))
    const [a, b, c] = peers as [MeshPeer, MeshPeer, MeshPeer]
    let t = Date.now()
    await until(() => peers.every((p) => p.mesh.openPeers().length === 2))
    console.log(`   3 peers (${peers.map((p) => p.id.slice(0, 6)).join(', ')}) fully linked in ${Date.now() - t} ms`)
    await until(() => a.presence.list().length === 3)
    console.log(`   presence seen by ${a.id.slice(0, 6)}: ${a.presence.list().map((p) => `${p.peer.slice(0, 6)} ${p.kind} ${p.workers} workers v${p.version}`).join('; ')}`)

    const job = await a.openDoc('tessera/job/demo')
    fillLargeDoc(job)
    const bytes = Y.encodeStateAsUpdate(job).byteLength
    t = Date.now()
    const late = await startNodePeer({ signaling, room: 'npm-start-demo', dir: false })
    peers.push(late)
    const copy = await late.openDoc('tessera/job/demo')
    await until(() => copy.getMap('small').size === 20_000 && copy.getMap('blobs').size === 48)
    console.log(`   a late joiner received a ${(bytes / 1e6).toFixed(1)} MB document in ${Date.now() - t} ms, in frames of at most 64 KiB`)

    const picture = { pixels: new Uint8Array(2_000_000).map((_, i) => i % 256) }
    const address = await b.values.put(picture)
    await until(() => c.values.has(address))
    t = Date.now()
    const fetched = (await c.values.get(address)) as typeof picture
    console.log(`   a 2 MB value is a blob: the document lists ${address.slice(0, 16)}… and its holder;`)
    console.log(`   another peer fetched it on demand and checked its hash in ${Date.now() - t} ms (${fetched.pixels.length} bytes)`)
  } finally {
    await Promise.all(peers.map((p) => p.close()))
  }
}
