import { describe, expect, it } from 'vitest'
import { encodeAndAddress, IntegrityError, MemoryBlobStore, SwarmDoc, ValueStore, type Address, type BlobStore, type PutOptions } from '@tessera/core'

/** A store that hands back whatever was last planted under an address, and counts the puts that asked it to hash. */
class PlantedStore implements BlobStore {
  readonly planted = new Map<Address, Uint8Array>()
  readonly puts: PutOptions[] = []
  constructor(readonly verifiesReads: boolean | undefined) {}
  async put(address: Address, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    this.puts.push(options)
    this.planted.set(address, bytes)
  }
  async get(address: Address): Promise<Uint8Array | undefined> {
    return this.planted.get(address)
  }
  async has(address: Address): Promise<boolean> {
    return this.planted.has(address)
  }
}

const large = (tag: string): { address: Address; bytes: Uint8Array } => encodeAndAddress({ tag, fill: 'x'.repeat(4096) }, 'value')

describe('ValueStore reads of blobs', () => {
  it('hashes what a store that does not vouch for its reads returns, and refuses bytes that are not the address', async () => {
    const store = new PlantedStore(undefined)
    const values = new ValueStore(new SwarmDoc(), store)
    const good = large('good')
    const other = large('other')
    store.planted.set(good.address, other.bytes)
    await expect(values.bytes(good.address)).rejects.toBeInstanceOf(IntegrityError)
  })

  it('takes a vouching store at its word: no second hash on read', async () => {
    const store = new PlantedStore(true)
    const values = new ValueStore(new SwarmDoc(), store)
    const good = large('good')
    const other = large('other')
    // Only a hash would tell these bytes from the address's own: the store vouched, so none is made.
    store.planted.set(good.address, other.bytes)
    expect(await values.bytes(good.address)).toBe(other.bytes)
  })

  it('tells the store that bytes it encoded and addressed itself need no hash on put', async () => {
    const store = new PlantedStore(true)
    const values = new ValueStore(new SwarmDoc(), store)
    const address = await values.put({ fill: 'y'.repeat(4096) })
    expect(store.planted.has(address)).toBe(true)
    expect(store.puts).toEqual([{ verified: true, handOver: true }])
    // A caller's pair is checked by the store unless the caller says it addressed the bytes itself.
    const given = large('given')
    await values.prepare(given.address, given.bytes)
    expect(store.puts[1]).toEqual({})
  })

  it('keeps its own encoding without a copy, reads it back without one, and a reader that changes a decoded block changes nothing stored', async () => {
    const store = new MemoryBlobStore()
    const values = new ValueStore(new SwarmDoc(), store)
    const address = await values.put(Float64Array.from({ length: 4096 }, (_, i) => i))
    // Read-only reads are the array the store keeps (docs/blob-copies.md), not a copy each.
    expect(await values.bytes(address)).toBe(await values.bytes(address))
    const first = (await values.get(address)) as Float64Array
    first.fill(-1)
    const second = (await values.get(address)) as Float64Array
    expect(second.buffer).not.toBe(first.buffer)
    expect([second[0], second[4095]]).toEqual([0, 4095])
    expect((await store.get(address))?.byteLength).toBe((await values.bytes(address)).byteLength)
  })

  it('the memory store vouches, and still refuses a put whose bytes are not the address', async () => {
    const store = new MemoryBlobStore()
    expect(store.verifiesReads).toBe(true)
    const good = large('good')
    await expect(store.put(good.address, large('other').bytes)).rejects.toBeInstanceOf(IntegrityError)
    await new ValueStore(new SwarmDoc(), store).prepare(good.address, good.bytes)
    expect(await store.get(good.address)).toEqual(good.bytes)
  })
})
