import { sha256 } from '@noble/hashes/sha2.js'
import * as prng from 'lib0/prng'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { describe, expect, it } from 'vitest'
import {
  addressOf,
  addressOfBytes,
  addressOfBytesAsync,
  addressOfDigest,
  ADDRESS_SPELLING,
  CBOR_CODEC,
  RAW_CODEC,
  encodeCanonical,
  isAddress,
  parseAddress,
  taskKeyOf,
  verifyBytes,
  type Address,
} from '@tessera/core'

describe('addresses', () => {
  it('are spelled exactly as multiformats spells the CID, for both codecs', () => {
    const random = prng.create(3)
    for (let i = 0; i < 500; i++) {
      const bytes = prng.uint8Array(random, prng.int32(random, 0, 200))
      for (const codec of [0x51, 0x55]) {
        expect(addressOfBytes(bytes, codec)).toBe(CID.createV1(codec, Digest.create(0x12, sha256(bytes))).toString())
        expect(addressOfDigest(sha256(bytes), codec as 0x51 | 0x55)).toBe(addressOfBytes(bytes, codec))
      }
    }
  })

  it('are CIDv1 strings over SHA-256 of the canonical bytes', () => {
    const address = addressOf({ x: 3 })
    const cid = parseAddress(address)
    expect(address.startsWith('b')).toBe(true)
    expect(cid.version).toBe(1)
    expect(cid.code).toBe(0x51)
    expect(cid.multihash.code).toBe(0x12)
    expect([...cid.multihash.digest]).toEqual([...sha256(encodeCanonical({ x: 3 }))])
  })

  it('are the same whether hashed synchronously or by WebCrypto', async () => {
    for (const size of [10, 20_000, 1_000_000]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 7) % 256)
      expect(await addressOfBytesAsync(bytes)).toBe(addressOfBytes(bytes))
    }
  })

  it('give a clear AddressError for anything that is not one', () => {
    for (const bad of ['', 'hello', 'bafy', `${addressOf(1)}x`, 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG']) {
      expect(() => parseAddress(bad)).toThrowError(expect.objectContaining({ name: 'AddressError' }))
      expect(isAddress(bad)).toBe(false)
    }
    expect(isAddress(addressOf(1))).toBe(true)
    expect(isAddress(42)).toBe(false)
  })

  it('verify bytes, and reject bytes that do not match', () => {
    const bytes = encodeCanonical('payload')
    const address = addressOfBytes(bytes)
    expect(() => verifyBytes(address, bytes)).not.toThrow()
    const tampered = bytes.slice()
    tampered[2] = (tampered[2] ?? 0) ^ 1
    expect(() => verifyBytes(address, tampered)).toThrowError(expect.objectContaining({ name: 'IntegrityError' }))
    expect(() => verifyBytes('nonsense' as Address, bytes)).toThrowError(expect.objectContaining({ name: 'AddressError' }))
  })

  it('verify bytes against addresses of both codecs, read off their spelling, and against other spellings of the same CID', () => {
    const bytes = encodeCanonical({ payload: [1, 2, 3] })
    for (const codec of [CBOR_CODEC, RAW_CODEC]) {
      const address = addressOfBytes(bytes, codec)
      expect(address).toMatch(ADDRESS_SPELLING)
      expect(() => verifyBytes(address, bytes)).not.toThrow()
      // The codec is read off the fourth character: the same digest under the other codec is the other codec's address of these bytes.
      const other = addressOfBytes(bytes, codec === CBOR_CODEC ? RAW_CODEC : CBOR_CODEC)
      expect(other.slice(4)).toBe(address.slice(4))
      expect(() => verifyBytes(other, bytes)).not.toThrow()
      // Another digest, still spelled as ours: refused.
      const forged = address.slice(0, 20) + (address[20] === 'a' ? 'b' : 'a') + address.slice(21)
      expect(forged).toMatch(ADDRESS_SPELLING)
      expect(() => verifyBytes(forged, bytes)).toThrowError(expect.objectContaining({ name: 'IntegrityError' }))
      // The same CID in base58btc: parsed, and held to the same bytes.
      const base58 = parseAddress(address).toString(base58btc)
      expect(base58).not.toMatch(ADDRESS_SPELLING)
      expect(() => verifyBytes(base58, bytes)).not.toThrow()
      expect(() => verifyBytes(base58, encodeCanonical('other'))).toThrowError(expect.objectContaining({ name: 'IntegrityError' }))
    }
  })

  it('make task keys from a function address and an argument address', () => {
    const f = addressOf('f')
    const g = addressOf('g')
    const a = addressOf({ x: 1 })
    const b = addressOf({ x: 2 })
    expect(taskKeyOf(f, a)).toBe(taskKeyOf(f, a))
    expect(new Set([taskKeyOf(f, a), taskKeyOf(f, b), taskKeyOf(g, a), taskKeyOf(g, b)]).size).toBe(4)
    expect(isAddress(taskKeyOf(f, a))).toBe(true)
  })
})

describe('verifying large blobs', () => {
  it('accepts and rejects the same bytes whichever hash implementation runs', async () => {
    const { verifyBytesAsync } = await import('@tessera/core')
    const bytes = new Uint8Array(100_000).map((_, i) => i % 241)
    const address = addressOfBytes(bytes)
    await expect(verifyBytesAsync(address, bytes)).resolves.toBeUndefined()
    const tampered = bytes.slice()
    tampered[99_999] = (tampered[99_999] ?? 0) ^ 1
    await expect(verifyBytesAsync(address, tampered)).rejects.toMatchObject({ name: 'IntegrityError' })
    expect(() => verifyBytes(address, tampered)).toThrowError(expect.objectContaining({ name: 'IntegrityError' }))
  })
})
