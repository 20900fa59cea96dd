import { mkdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { copyBytes, DEFAULT_MAX_BLOB_BYTES, IntegrityError, parseAddress, SizeLimitError, verifyBytesAsync } from '@tessera/core'
import type { Address, BlobStore } from '@tessera/core'
import { writeAtomically } from './atomic-write.ts'
import { isNotFound } from './fs-errors.ts'
import { DEFAULT_DATA_DIR } from './data-dir.ts'

export interface FsBlobStoreOptions {
  /** The peer's data directory; blobs go under `<dir>/blobs/`. Default `.tessera`. */
  readonly dir?: string
  /** Blobs over this many bytes are refused with `SizeLimitError`; default `DEFAULT_MAX_BLOB_BYTES`. */
  readonly maxBlobBytes?: number
}

/**
 * `BlobStore` in a directory, one file per blob named by its address. Bytes are
 * verified on the way in and again on the way out: a file the disk damaged is
 * deleted and reported missing, so a peer fetches it again instead of passing
 * bad bytes on. `has` only looks for the file; damage shows up on `get`.
 */
export class FsBlobStore implements BlobStore {
  readonly #dir: string
  readonly #maxBlobBytes: number

  constructor(options: FsBlobStoreOptions = {}) {
    this.#dir = join(options.dir ?? DEFAULT_DATA_DIR, 'blobs')
    this.#maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES
  }

  async put(address: Address, bytes: Uint8Array): Promise<void> {
    const path = this.#path(address)
    if (bytes.byteLength > this.#maxBlobBytes) {
      throw new SizeLimitError(`blob of ${bytes.byteLength} bytes is over the ${this.#maxBlobBytes}-byte cap`)
    }
    // Copied before hashing, so a caller that reuses its buffer during the await cannot slip in other bytes.
    const copy = copyBytes(bytes)
    await verifyBytesAsync(address, copy)
    if (await this.has(address)) return
    await mkdir(this.#dir, { recursive: true })
    // No fsync: a file a power cut damages fails verification on `get` and is fetched again.
    await writeAtomically(path, copy, { fsync: false })
  }

  async get(address: Address): Promise<Uint8Array | undefined> {
    const path = this.#path(address)
    let bytes: Uint8Array
    try {
      bytes = ownedBytes(await readFile(path))
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
    try {
      await verifyBytesAsync(address, bytes)
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error
      await rm(path, { force: true })
      return undefined
    }
    return bytes
  }

  async has(address: Address): Promise<boolean> {
    try {
      return (await stat(this.#path(address))).isFile()
    } catch (error) {
      if (isNotFound(error)) return false
      throw error
    }
  }

  /** Deletes the blob; nothing happens when it is not here. */
  async delete(address: Address): Promise<void> {
    await rm(this.#path(address), { force: true })
  }

  /** Throws `AddressError` for anything but a well-formed address, which also keeps paths inside the directory. */
  #path(address: Address): string {
    return join(this.#dir, parseAddress(address).toString())
  }
}

/** A plain Uint8Array over memory no one else holds: `readFile`'s Buffer normally owns its memory, but that is not promised. */
function ownedBytes(buffer: Buffer): Uint8Array {
  const ownsMemory = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength
  return ownsMemory ? new Uint8Array(buffer.buffer, 0, buffer.byteLength) : copyBytes(buffer)
}
