import type { Address } from '../ids.ts'

/**
 * Bytes by content address. `put` verifies that the bytes hash to the address and
 * refuses them otherwise (`IntegrityError`), so a store never holds bytes under a
 * name they do not have.
 */
export interface BlobStore {
  put(address: Address, bytes: Uint8Array): Promise<void>
  /** Resolves `undefined` when the blob is not here. */
  get(address: Address): Promise<Uint8Array | undefined>
  has(address: Address): Promise<boolean>
}
