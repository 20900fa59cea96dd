import type { Address, BlobStore } from '@tessera/core'

/**
 * A malicious or broken peer's store: it claims to hold every blob it was given
 * and serves bytes with one bit flipped. It skips the check an honest store
 * makes, which is the point.
 */
export class CorruptingBlobStore implements BlobStore {
  readonly #blobs = new Map<Address, Uint8Array>()
  served = 0

  async put(address: Address, bytes: Uint8Array): Promise<void> {
    this.#blobs.set(address, new Uint8Array(bytes))
  }

  async get(address: Address): Promise<Uint8Array | undefined> {
    const bytes = this.#blobs.get(address)
    if (bytes === undefined) return undefined
    this.served++
    const corrupt = new Uint8Array(bytes)
    corrupt[corrupt.length >> 1] = (corrupt[corrupt.length >> 1] as number) ^ 1
    return corrupt
  }

  async has(address: Address): Promise<boolean> {
    return this.#blobs.has(address)
  }
}
