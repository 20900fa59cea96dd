import { addressOf, addressOfBytesAsync, encodeAndAddress, RAW_CODEC } from '../../address.ts'
import type { Address } from '../../ids.ts'
import type { BlobStore } from '../../interfaces/blob-store.ts'
import { assert, assertBytesEqual, assertRejects, patternBytes } from './check-assert.ts'
import { skipCheck, type ContractCheck } from './contract.ts'

export interface BlobStoreFixture {
  /** An empty store. */
  readonly store: BlobStore
  /** The store's size cap, if it has one, so the cap check can test it. */
  readonly maxBlobBytes?: number
  teardown?(): Promise<void>
}

/** Makes a fresh, empty store for each check. */
export type MakeBlobStore = () => Promise<BlobStoreFixture>

async function withStore(make: MakeBlobStore, body: (fixture: BlobStoreFixture) => Promise<void>): Promise<void> {
  const fixture = await make()
  try {
    await body(fixture)
  } finally {
    await fixture.teardown?.()
  }
}

/**
 * What every `BlobStore` adapter must do: in memory, on disk, in IndexedDB,
 * across the mesh. Besides the basics, what a persistent store can get wrong:
 * large blobs, views into larger buffers, and results the caller may change.
 */
export const blobStoreChecks: readonly ContractCheck<MakeBlobStore>[] = [
  {
    name: 'gives back what was put, by address',
    run: (make) =>
      withStore(make, async ({ store }) => {
        const { address, bytes } = encodeAndAddress({ hello: 'world', n: [1, 2, 3] })
        assert(!(await store.has(address)), 'has before put')
        await store.put(address, bytes)
        assert(await store.has(address), 'has after put')
        assertBytesEqual(await store.get(address), bytes, 'get')
      }),
  },
  {
    name: 'resolves undefined for an address it does not hold',
    run: (make) =>
      withStore(make, async ({ store }) => {
        assert((await store.get(addressOf('never stored'))) === undefined, 'get of a missing blob')
      }),
  },
  {
    name: 'refuses bytes that do not match their address, and keeps nothing',
    run: (make) =>
      withStore(make, async ({ store }) => {
        const { address, bytes } = encodeAndAddress('genuine')
        const forged = new Uint8Array(bytes)
        forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0xff
        await assertRejects(store.put(address, forged), 'IntegrityError', 'forged bytes')
        await assertRejects(store.put(address, bytes.subarray(0, bytes.length - 1)), 'IntegrityError', 'truncated bytes')
        assert(!(await store.has(address)), 'has after refused puts')
      }),
  },
  {
    name: 'refuses a malformed address',
    run: (make) =>
      withStore(make, async ({ store }) => {
        await assertRejects(store.put('not-an-address' as Address, new Uint8Array([1])), 'AddressError', 'put')
        await assertRejects(store.put('../../escape' as Address, new Uint8Array([1])), 'AddressError', 'put of a path')
      }),
  },
  {
    name: 'keeps its copy when the caller reuses the buffer',
    run: (make) =>
      withStore(make, async ({ store }) => {
        const { address, bytes } = encodeAndAddress(new Uint8Array(64).fill(5))
        const copy = new Uint8Array(bytes)
        await store.put(address, bytes)
        bytes.fill(0)
        const got = await store.get(address)
        assertBytesEqual(got, copy, 'get after the caller reused its buffer')
        got?.fill(1)
        assertBytesEqual(await store.get(address), copy, 'get after the reader changed its result')
      }),
  },
  {
    name: 'keeps handed-over bytes, and a reader that may change what it gets cannot change the store',
    run: (make) =>
      withStore(make, async ({ store }) => {
        const { address, bytes } = encodeAndAddress(new Uint8Array(4096).fill(6))
        const copy = new Uint8Array(bytes)
        await store.put(address, bytes, { handOver: true })
        assertBytesEqual(await store.get(address, { readOnly: true }), copy, 'a read-only get of handed-over bytes')
        const got = await store.get(address)
        assertBytesEqual(got, copy, 'get of handed-over bytes')
        got?.fill(1)
        assertBytesEqual(await store.get(address, { readOnly: true }), copy, 'a read-only get after a reader changed its result')
        assertBytesEqual(await store.get(address), copy, 'get after a reader changed its result')
      }),
  },
  {
    name: 'treats a second put of the same blob as a no-op',
    run: (make) =>
      withStore(make, async ({ store }) => {
        const { address, bytes } = encodeAndAddress([1, 2])
        await store.put(address, bytes)
        await store.put(address, bytes)
        assert(await store.has(address), 'has after two puts')
        assertBytesEqual(await store.get(address), bytes, 'get')
      }),
  },
  {
    name: 'refuses blobs over its size cap before storing them',
    run: (make) =>
      withStore(make, async ({ store, maxBlobBytes }) => {
        if (maxBlobBytes === undefined) skipCheck('the store has no size cap')
        const { address, bytes } = encodeAndAddress(new Uint8Array(maxBlobBytes + 16))
        await assertRejects(store.put(address, bytes), 'SizeLimitError', 'put over the cap')
        assert(!(await store.has(address)), 'has after a refused put')
      }),
  },
  {
    name: 'stores a 5 MB raw blob given as a view into a larger buffer',
    run: (make) =>
      withStore(make, async ({ store, maxBlobBytes }) => {
        const size = Math.min(5 * 1024 * 1024, maxBlobBytes ?? Infinity)
        const backing = patternBytes(size + 64, 3)
        const view = backing.subarray(32, 32 + size)
        const address = await addressOfBytesAsync(view, RAW_CODEC)
        await store.put(address, view)
        assertBytesEqual(await store.get(address), view, 'get')
      }),
  },
]
