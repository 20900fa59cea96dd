import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { addHolder, asPeerId, encodeAndAddress, MemoryBlobStore, MemoryNetwork, SwarmDoc, type Address, type PeerId } from '@tessera/core'
import { BlobExchange, decodeBlobMessage, encodeBlobMessage, MeshBlobStore } from '@tessera/mesh'

const CAP = 4 * 1024 * 1024
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && Buffer.compare(a, b) === 0

function blob(seed: number, size = 200_000): { address: Address; bytes: Uint8Array } {
  const raw = new Uint8Array(size).map((_, i) => (i * 13 + seed * 7) & 255)
  return encodeAndAddress(raw)
}

/** A peer on an in-process network: its local store, exchange and swarm view. */
function peerOn(network: MemoryNetwork, name: string, swarm = new SwarmDoc(new Y.Doc())) {
  const self = asPeerId(name)
  const transport = network.join(self)
  const local = new MemoryBlobStore({ maxBlobBytes: CAP })
  const exchange = new BlobExchange({ transport, serve: (address) => local.get(address), maxBlobBytes: CAP })
  const store = new MeshBlobStore({ local, exchange, swarm, self, linkedPeers: () => transport.peers(), maxBlobBytes: CAP })
  return { self, transport, local, exchange, store, swarm }
}

describe('blob exchange', () => {
  it('fetches several blobs in flight from one holder, each verified, and announces the copies in one document update', async () => {
    const network = new MemoryNetwork()
    const holder = peerOn(network, 'holder')
    const fetcher = peerOn(network, 'fetcher')
    const blobs = Array.from({ length: 8 }, (_, i) => blob(i))
    for (const { address, bytes } of blobs) {
      await holder.local.put(address, bytes)
      addHolder(fetcher.swarm, address, holder.self, 1)
    }
    const updates: Uint8Array[] = []
    fetcher.swarm.doc.on('update', (update: Uint8Array) => updates.push(update))
    const got = await Promise.all(blobs.map(({ address }) => fetcher.store.get(address)))
    expect(got.every((bytes, i) => sameBytes(bytes, (blobs[i] as { bytes: Uint8Array }).bytes))).toBe(true)
    for (const { address } of blobs) expect(await fetcher.local.has(address)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 120))
    for (const { address } of blobs) expect(fetcher.swarm.holdersOf(address)).toContain(fetcher.self)
    expect(updates).toHaveLength(1)
  })

  it('drops a peer whose reply has the wrong bytes or a broken header, and gets the blob from an honest one', async () => {
    const network = new MemoryNetwork()
    const fetcher = peerOn(network, 'fetcher')
    const honest = peerOn(network, 'honest')
    const { address, bytes } = blob(3)
    await honest.local.put(address, bytes)
    // Two liars answer every request at once: one with other bytes, one with a header cut short.
    const liars: Array<{ self: PeerId; answer: (id: number) => Uint8Array }> = [
      { self: asPeerId('liar-bytes'), answer: (id) => joined(encodeBlobMessage({ type: 'blob', id, bytes: blob(4).bytes })) },
      { self: asPeerId('liar-header'), answer: () => Uint8Array.of(1, 0, 0, 0) },
    ]
    for (const liar of liars) {
      const transport = network.join(liar.self)
      transport.onMessage((from, message) => {
        const request = decodeBlobMessage(message)
        transport.send(from, liar.answer(request.id))
      })
    }
    const exchange = new BlobExchange({ transport: fetcher.transport, serve: async () => undefined, maxBlobBytes: CAP, requestTimeoutMs: 200 })
    const fetched = await exchange.fetch(address, [asPeerId('liar-bytes'), asPeerId('liar-header'), honest.self], { expectedSize: bytes.byteLength })
    expect(sameBytes(fetched, bytes)).toBe(true)
    // The truncated header never reaches the waiter: that request times out, the peer is not trusted with bytes.
    expect([...exchange.badPeers]).toEqual([asPeerId('liar-bytes')])
    expect(() => decodeBlobMessage(Uint8Array.of(1, 0, 0))).toThrow(/shorter than its header/)
    const nan = joined(encodeBlobMessage({ type: 'blob', id: 1, bytes: new Uint8Array(4) }))
    new DataView(nan.buffer).setFloat64(8, Number.NaN)
    expect(() => decodeBlobMessage(nan)).toThrow(/without an id/)
  })

  it('sends a reply as its header and the blob itself, which the receiver reads in place', () => {
    const { bytes } = blob(5, 100_000)
    const parts = encodeBlobMessage({ type: 'blob', id: 42, bytes })
    expect(parts[1]).toBe(bytes)
    const decoded = decodeBlobMessage(joined(parts))
    expect(decoded).toMatchObject({ type: 'blob', id: 42 })
    expect(sameBytes(decoded.type === 'blob' ? decoded.bytes : undefined, bytes)).toBe(true)
    expect(decodeBlobMessage(joined(encodeBlobMessage({ type: 'get', id: 7, address: 'x' })))).toEqual({ type: 'get', id: 7, address: 'x' })
  })
})

function joined(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts))
}
