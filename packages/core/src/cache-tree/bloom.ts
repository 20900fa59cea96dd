import { keyHashWord } from './key-hash.ts'

/**
 * A Bloom filter over a leaf's keys, kept in the parent's reference to the
 * leaf: a lookup of a key the leaf does not hold skips fetching it about 99
 * times in 100 (ten bits a key, seven probes). Probes come from the key's hash
 * by double hashing, so any peer computes the same bits.
 */
const BITS_PER_KEY = 10
const PROBES = 7

export function bloomOf(hashes: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(Math.max(8, Math.ceil((hashes.length * BITS_PER_KEY) / 8)))
  for (const hash of hashes) for (const bit of probes(hash, bytes.byteLength * 8)) bytes[bit >>> 3]! |= 1 << (bit & 7)
  return bytes
}

/** Whether the filter may hold the key: false means it surely does not. */
export function bloomMayHold(bloom: Uint8Array, hash: Uint8Array): boolean {
  if (bloom.byteLength === 0) return true
  for (const bit of probes(hash, bloom.byteLength * 8)) if ((bloom[bit >>> 3]! & (1 << (bit & 7))) === 0) return false
  return true
}

function* probes(hash: Uint8Array, bits: number): Generator<number> {
  const a = keyHashWord(hash, 1)
  const b = keyHashWord(hash, 2) | 1
  for (let i = 0; i < PROBES; i++) yield ((a + Math.imul(i, b)) >>> 0) % bits
}
