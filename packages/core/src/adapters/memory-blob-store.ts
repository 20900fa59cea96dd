import { verifyBytes } from '../address.ts'
import { copyBytes } from '../bytes.ts'
import { SizeLimitError } from '../errors.ts'
import type { Address } from '../ids.ts'
import type { BlobStore, GetOptions, PutOptions } from '../interfaces/blob-store.ts'

export interface MemoryBlobStoreOptions {
  /** Blobs over this many bytes are refused with `SizeLimitError`. */
  readonly maxBlobBytes?: number
}

export const DEFAULT_MAX_BLOB_BYTES = 64 * 1024 * 1024

export class MemoryBlobStore implements BlobStore {
  /** Every blob was checked on `put` (or by the caller that said `verified`), and readers get copies unless they only read. */
  readonly verifiesReads = true
  readonly #blobs = new Map<Address, Uint8Array>()
  readonly #maxBlobBytes: number

  constructor(options: MemoryBlobStoreOptions = {}) {
    this.#maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES
  }

  async put(address: Address, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    if (bytes.byteLength > this.#maxBlobBytes) {
      throw new SizeLimitError(`blob of ${bytes.byteLength} bytes is over the ${this.#maxBlobBytes}-byte cap`)
    }
    if (options.verified !== true) verifyBytes(address, bytes)
    // Copies, unless handed over, so a caller that reuses its buffer cannot change what the address names.
    if (!this.#blobs.has(address)) this.#blobs.set(address, options.handOver === true ? bytes : copyBytes(bytes))
  }

  async get(address: Address, options: GetOptions = {}): Promise<Uint8Array | undefined> {
    const bytes = this.#blobs.get(address)
    return bytes === undefined || options.readOnly === true ? bytes : copyBytes(bytes)
  }

  async has(address: Address): Promise<boolean> {
    return this.#blobs.has(address)
  }
}
