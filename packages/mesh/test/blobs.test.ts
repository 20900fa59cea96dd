import { describe, expect, it } from 'vitest'
import { encodeAndAddress, encodeCanonical, MemoryBlobStore, type Address, type PeerId } from '@tessera/core'
import type { MeshPeer } from '@tessera/mesh/node'
import { CorruptingBlobStore } from './support/corrupting-blob-store.ts'
import { useSwarm, waitFor } from './support/swarm.ts'

const swarm = useSwarm()

// Vitest compares typed arrays element by element, which takes seconds for megabytes.
const sameValue = (a: unknown, b: unknown): boolean => Buffer.compare(encodeCanonical(a), encodeCanonical(b)) === 0

const bigValue = (seed: number) => ({ pixels: new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * seed) & 255), seed })

describe('blobs: values too big for the document', () => {
  it('keeps large values out of Yjs: the document lists the address and holders, a peer fetches on demand', async () => {
    const peers = await swarm.start(2)
    const [a, b] = peers as [MeshPeer, MeshPeer]
    await waitFor('a link', () => a.mesh.openPeers().length === 1)
    const address = await a.values.put(bigValue(3))
    const small = await a.values.put({ tiny: 1 })
    await waitFor('the value index to replicate', () => b.values.has(address) && b.values.has(small))
    expect(b.swarm.value(address)?.inline).toBeUndefined()
    expect(b.swarm.value(small)?.inline).toBeInstanceOf(Uint8Array)
    expect(b.swarm.holdersOf(address)).toEqual([a.id])
    expect(await b.blobs.has(address)).toBe(false)
    expect(sameValue(await b.values.get(address), bigValue(3))).toBe(true)
    // b now holds it too, and says so.
    expect(await b.blobs.has(address)).toBe(true)
    await waitFor('b listed as a holder on a', () => a.swarm.holdersOf(address).includes(b.id))
  })

  it('keeps a fetched blob as it arrived, and gives each reader that may change its bytes a copy of its own', async () => {
    const [a, b] = (await swarm.start(2)) as [MeshPeer, MeshPeer]
    await waitFor('a link', () => a.mesh.openPeers().length === 1)
    const address = await a.values.put(bigValue(11))
    const encoded = encodeCanonical(bigValue(11))
    await waitFor('the value index to replicate', () => b.values.has(address))
    // Two reads while one fetch is in flight: each gets bytes of its own, and changing them changes nothing held.
    const [first, second] = (await Promise.all([b.blobs.get(address), b.blobs.get(address)])) as [Uint8Array, Uint8Array]
    expect(first === second).toBe(false)
    first.fill(0)
    expect(Buffer.compare(second, encoded)).toBe(0)
    expect(Buffer.compare((await b.blobs.get(address, { readOnly: true })) as Uint8Array, encoded)).toBe(0)
    // What b serves onward is what it holds: a third peer fetches it from b alone, intact.
    const [c] = (await swarm.start(1)) as [MeshPeer]
    await waitFor('c linked to b', () => c.mesh.openPeers().includes(b.id))
    await waitFor('c sees b as a holder', () => c.values.has(address) && c.swarm.holdersOf(address).includes(b.id))
    expect(sameValue(await c.values.get(address), bigValue(11))).toBe(true)
  })

  it('rejects corrupted bytes, marks the sender bad, and fetches from another holder', async () => {
    const liar = new CorruptingBlobStore()
    const stores = [() => new MemoryBlobStore(), () => liar, () => new MemoryBlobStore()]
    const peers: MeshPeer[] = []
    for (const make of stores) peers.push(...(await swarm.start(1, { blobStorage: make })))
    const [honest, corrupt, fetcher] = peers as [MeshPeer, MeshPeer, MeshPeer]
    await waitFor('a full mesh', () => peers.every((p) => p.mesh.openPeers().length === 2))
    const value = bigValue(5)
    const address = await honest.values.put(value)
    const { bytes } = encodeAndAddress(value)
    await corrupt.blobs.put(address, bytes)
    // The liar is the most recent holder, so it is asked first.
    await waitFor('both holders listed on the fetcher', () => fetcher.swarm.holdersOf(address).length === 2)
    expect(fetcher.swarm.holdersOf(address)[0]).toBe(corrupt.id)
    const badPeers: PeerId[] = []
    expect(sameValue(await fetcher.values.get(address), value)).toBe(true)
    expect(liar.served).toBe(1)
    badPeers.push(...fetcher.exchange.badPeers)
    expect(badPeers).toEqual([corrupt.id])
    // The corrupted bytes were never stored: what the fetcher holds verifies.
    expect(Buffer.compare((await fetcher.blobs.get(address)) as Uint8Array, bytes)).toBe(0)
  })

  it('fails with an error naming the cap when a blob is over it, and with BlobNotFoundError when nobody has it', async () => {
    const [a] = await swarm.start(1)
    const [b] = await swarm.start(1, { maxBlobBytes: 1024 * 1024 })
    await waitFor('a link', () => (a as MeshPeer).mesh.openPeers().length === 1)
    const address = await (a as MeshPeer).values.put(bigValue(7))
    await waitFor('the index', () => (b as MeshPeer).values.has(address))
    await expect((b as MeshPeer).values.get(address)).rejects.toThrow(/over the 1048576-byte blob cap/)
    await expect((b as MeshPeer).values.put(bigValue(9))).rejects.toMatchObject({ name: 'SizeLimitError' })
    const orphan = 'bafireiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' as Address
    await expect((b as MeshPeer).values.get(orphan)).rejects.toMatchObject({ name: 'BlobNotFoundError' })
  })
})
