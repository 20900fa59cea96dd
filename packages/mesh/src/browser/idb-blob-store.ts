import { copyBytes, DEFAULT_MAX_BLOB_BYTES, IntegrityError, parseAddress, SizeLimitError, verifyBytesAsync } from '@tessera/core'
import type { Address, BlobStore } from '@tessera/core'
import type { TesseraDb } from './idb-schema.ts'
import { inTransaction } from './idb-transaction.ts'

/**
 * `BlobStore` over the `blobs` store of Tessera's IndexedDB database. Bytes are
 * verified on the way in and on the way out; a damaged record is deleted and
 * reported missing. Open it through `openIndexedDbStorage`.
 */
export class IndexedDbBlobStore implements BlobStore {
  /** `get` verifies every record it returns. */
  readonly verifiesReads = true
  readonly #db: TesseraDb
  readonly #maxBlobBytes: number

  constructor(db: TesseraDb, options: { readonly maxBlobBytes?: number } = {}) {
    this.#db = db
    this.#maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES
  }

  async put(address: Address, bytes: Uint8Array): Promise<void> {
    const key = keyOf(address)
    if (bytes.byteLength > this.#maxBlobBytes) {
      throw new SizeLimitError(`blob of ${bytes.byteLength} bytes is over the ${this.#maxBlobBytes}-byte cap`)
    }
    // Copied before hashing, so a caller that reuses its buffer during the await cannot slip in other bytes.
    const copy = copyBytes(bytes)
    await verifyBytesAsync(address, copy)
    // Relaxed: a blob lost to a power cut is fetched again, and a damaged one fails verification on `get`.
    const tx = this.#db.transaction('blobs', 'readwrite', { durability: 'relaxed' })
    await inTransaction(tx, async () => {
      if ((await tx.store.getKey(key)) === undefined) await tx.store.put(copy, key)
    })
  }

  async get(address: Address): Promise<Uint8Array | undefined> {
    const key = keyOf(address)
    const bytes = await this.#db.get('blobs', key)
    if (bytes === undefined) return undefined
    try {
      await verifyBytesAsync(address, bytes)
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error
      await this.delete(address)
      return undefined
    }
    return bytes
  }

  async has(address: Address): Promise<boolean> {
    return (await this.#db.getKey('blobs', keyOf(address))) !== undefined
  }

  /** Deletes the blob; nothing happens when it is not here. */
  async delete(address: Address): Promise<void> {
    const tx = this.#db.transaction('blobs', 'readwrite', { durability: 'relaxed' })
    await inTransaction(tx, () => tx.store.delete(keyOf(address)))
  }
}

/** Throws `AddressError` for a malformed address, and spells every address one way. */
function keyOf(address: Address): string {
  return parseAddress(address).toString()
}
