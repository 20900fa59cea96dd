import { describe, expect, it } from 'vitest'
import { addressOf, encodeAndAddress } from '../../address.ts'
import type { Address } from '../../ids.ts'
import type { BlobStore } from '../../interfaces/blob-store.ts'

export interface BlobStoreFixture {
  readonly store: BlobStore
  /** The store's size cap, if it has one, so the contract can check it. */
  readonly maxBlobBytes?: number
  teardown?(): Promise<void>
}

export function runBlobStoreContract(name: string, setup: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    it('gives back what was put, by address', async () => {
      const { store, teardown } = await setup()
      const { address, bytes } = encodeAndAddress({ hello: 'world', n: [1, 2, 3] })
      expect(await store.has(address)).toBe(false)
      await store.put(address, bytes)
      expect(await store.has(address)).toBe(true)
      expect([...((await store.get(address)) ?? [])]).toEqual([...bytes])
      await teardown?.()
    })

    it('resolves undefined for an address it does not hold', async () => {
      const { store, teardown } = await setup()
      expect(await store.get(addressOf('never stored'))).toBeUndefined()
      await teardown?.()
    })

    it('refuses bytes that do not match their address, and keeps nothing', async () => {
      const { store, teardown } = await setup()
      const { address, bytes } = encodeAndAddress('genuine')
      const forged = bytes.slice()
      forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0xff
      await expect(store.put(address, forged)).rejects.toMatchObject({ name: 'IntegrityError' })
      await expect(store.put(address, bytes.subarray(0, bytes.length - 1))).rejects.toMatchObject({ name: 'IntegrityError' })
      expect(await store.has(address)).toBe(false)
      await teardown?.()
    })

    it('refuses a malformed address', async () => {
      const { store, teardown } = await setup()
      await expect(store.put('not-an-address' as Address, new Uint8Array([1]))).rejects.toMatchObject({ name: 'AddressError' })
      await teardown?.()
    })

    it('keeps its copy when the caller reuses the buffer', async () => {
      const { store, teardown } = await setup()
      const { address, bytes } = encodeAndAddress(new Uint8Array(64).fill(5))
      const copy = bytes.slice()
      await store.put(address, bytes)
      bytes.fill(0)
      expect([...((await store.get(address)) ?? [])]).toEqual([...copy])
      await teardown?.()
    })

    it('treats a second put of the same blob as a no-op', async () => {
      const { store, teardown } = await setup()
      const { address, bytes } = encodeAndAddress([1, 2])
      await store.put(address, bytes)
      await store.put(address, bytes)
      expect(await store.has(address)).toBe(true)
      await teardown?.()
    })

    it('refuses blobs over its size cap before storing them', async () => {
      const { store, maxBlobBytes, teardown } = await setup()
      if (maxBlobBytes === undefined) return
      const { address, bytes } = encodeAndAddress(new Uint8Array(maxBlobBytes + 16))
      await expect(store.put(address, bytes)).rejects.toMatchObject({ name: 'SizeLimitError' })
      expect(await store.has(address)).toBe(false)
      await teardown?.()
    })
  })
}
