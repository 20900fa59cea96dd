import { addressOf, addressOfBytesAsync, encodeAndAddress, RAW_CODEC } from '@tessera/core'
import type { Address, BlobStore } from '@tessera/core'
import { assert, assertBytesEqual, assertRejects, patternBytes } from './check-assert.ts'
import type { StorageCheck } from './storage-check.ts'

export interface BlobStoreCheckFixture {
  readonly store: BlobStore
  /** The store's size cap, if it has one, so the cap check can test it. */
  readonly maxBlobBytes?: number
  teardown?(): Promise<void>
}

export type MakeBlobStore = () => Promise<BlobStoreCheckFixture>

async function withStore(make: MakeBlobStore, body: (fixture: BlobStoreCheckFixture) => Promise<'passed' | 'skipped'>): Promise<'passed' | 'skipped'> {
  const fixture = await make()
  try {
    return await body(fixture)
  } finally {
    await fixture.teardown?.()
  }
}

/**
 * Core's blob-store contract (`runBlobStoreContract`) as framework-free checks,
 * so browser pages can run it too, plus what a persistent store adds: large
 * blobs, views into larger buffers, and results the caller may change.
 */
export const blobStoreChecks: readonly StorageCheck<MakeBlobStore>[] = [
  {
    name: 'gives back what was put, by address',
    run: (make) =>
      withStore(make, async ({ store }) => {
        const { address, bytes } = encodeAndAddress({ hello: 'world', n: [1, 2, 3] })
        assert(!(await store.has(address)), 'has before put')
        await store.put(address, bytes)
        assert(await store.has(address), 'has after put')
        assertBytesEqual(await store.get(address), bytes, 'get')
        return 'passed'
      }),
  },
  {
    name: 'resolves undefined for an address it does not hold',
    run: (make) =>
      withStore(make, async ({ store }) => {
        assert((await store.get(addressOf('never stored'))) === undefined, 'get of a missing blob')
        return 'passed'
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
        return 'passed'
      }),
  },
  {
    name: 'refuses a malformed address',
    run: (make) =>
      withStore(make, async ({ store }) => {
        await assertRejects(store.put('not-an-address' as Address, new Uint8Array([1])), 'AddressError', 'put')
        await assertRejects(store.put('../../escape' as Address, new Uint8Array([1])), 'AddressError', 'put of a path')
        return 'passed'
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
        return 'passed'
      }),
  },
  {
    name: 'treats a second put of the same blob as a no-op',
    run: (make) =>
      withStore(make, async ({ store }) => {
        const { address, bytes } = encodeAndAddress([1, 2])
        await store.put(address, bytes)
        await store.put(address, bytes)
        assertBytesEqual(await store.get(address), bytes, 'get')
        return 'passed'
      }),
  },
  {
    name: 'refuses blobs over its size cap before storing them',
    run: (make) =>
      withStore(make, async ({ store, maxBlobBytes }) => {
        if (maxBlobBytes === undefined) return 'skipped'
        const { address, bytes } = encodeAndAddress(new Uint8Array(maxBlobBytes + 16))
        await assertRejects(store.put(address, bytes), 'SizeLimitError', 'put over the cap')
        assert(!(await store.has(address)), 'has after a refused put')
        return 'passed'
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
        const got = await store.get(address)
        assertBytesEqual(got, view, 'get')
        return 'passed'
      }),
  },
]
