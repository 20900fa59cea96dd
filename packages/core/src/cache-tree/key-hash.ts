import { sha256 } from '@noble/hashes/sha2.js'

const utf8 = new TextEncoder()

/**
 * The hash of a key that decides where chunks end and which Bloom bits it
 * sets. It depends on the key alone, never on its neighbours or on the order
 * entries arrived in: that is what makes the tree a function of its key set.
 */
export function keyHash(key: string): Uint8Array {
  return sha256(utf8.encode(key))
}

/** The first four bytes of a key's hash, as an unsigned number. */
export function keyHashWord(hash: Uint8Array, word = 0): number {
  const at = word * 4
  return ((hash[at]! << 24) | (hash[at + 1]! << 16) | (hash[at + 2]! << 8) | hash[at + 3]!) >>> 0
}

/**
 * How many levels a key closes: a chunk at level L ends after a key whose
 * rank exceeds L. Each level is `fanout` times rarer than the one below, and a
 * key that closes level L+1 closes level L too, so chunks nest.
 */
export function rankOf(hash: Uint8Array, fanoutBits: number): number {
  const word = keyHashWord(hash)
  let rank = 0
  // The low bits of the first word, `fanoutBits` at a time: each zero group is one more level.
  for (let shift = 0; shift + fanoutBits <= 32; shift += fanoutBits) {
    if (((word >>> shift) & ((1 << fanoutBits) - 1)) !== 0) break
    rank++
  }
  return rank
}
