import { mkdir, readdir, readFile, rm, stat, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { copyBytes, DEFAULT_MAX_BLOB_BYTES, IntegrityError, parseAddress, SizeLimitError, verifyBytesAsync } from '@tessera/core'
import type { Address, BlobStore, PutOptions } from '@tessera/core'
import { TEMP_PREFIX, writeAtomically } from './atomic-write.ts'
import { isNotFound } from './fs-errors.ts'
import { DEFAULT_DATA_DIR } from './data-dir.ts'

/** One blob on disk, as `FsBlobStore.list` finds it. */
export interface StoredBlob {
  readonly address: Address
  readonly size: number
  /** The file's modification time: when it was stored, or last `touch`ed. */
  readonly usedAt: number
}

export interface FsBlobStoreOptions {
  /** The peer's data directory; blobs go under `<dir>/blobs/`. Default `.tessera`. */
  readonly dir?: string
  /** Blobs over this many bytes are refused with `SizeLimitError`; default `DEFAULT_MAX_BLOB_BYTES`. */
  readonly maxBlobBytes?: number
}

/**
 * `BlobStore` in a directory, one file per blob named by its address. Bytes are
 * verified on the way in, and on the first read of a file this store did not
 * write: a file the disk damaged (a power cut, with no fsync) is deleted and
 * reported missing, so a peer fetches it again instead of passing bad bytes on.
 * A file written or checked by this store is not hashed again on later reads
 * (docs/blobs.md). `has` only looks for the file; damage shows up on `get`.
 */
export class FsBlobStore implements BlobStore {
  readonly verifiesReads = true
  readonly #dir: string
  readonly #maxBlobBytes: number
  /** Files this store wrote, or read and checked: their bytes are known good in this process. */
  readonly #checked = new Set<Address>()

  constructor(options: FsBlobStoreOptions = {}) {
    this.#dir = join(options.dir ?? DEFAULT_DATA_DIR, 'blobs')
    this.#maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES
  }

  async put(address: Address, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    const path = this.#path(address)
    if (bytes.byteLength > this.#maxBlobBytes) {
      throw new SizeLimitError(`blob of ${bytes.byteLength} bytes is over the ${this.#maxBlobBytes}-byte cap`)
    }
    // Copied before hashing, so a caller that reuses its buffer during the await cannot slip in other bytes.
    const copy = copyBytes(bytes)
    if (options.verified !== true) await verifyBytesAsync(address, copy)
    // A file already there (an earlier process's) stays unchecked until read.
    if (await this.has(address)) return
    await mkdir(this.#dir, { recursive: true })
    // No fsync: a file a power cut damages fails verification on the next process's first `get` and is fetched again.
    await writeAtomically(path, copy, { fsync: false })
    this.#checked.add(parseAddress(address).toString() as Address)
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
    const name = parseAddress(address).toString() as Address
    if (this.#checked.has(name)) return bytes
    try {
      await verifyBytesAsync(address, bytes)
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error
      await rm(path, { force: true })
      return undefined
    }
    this.#checked.add(name)
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
    this.#checked.delete(parseAddress(address).toString() as Address)
    await rm(this.#path(address), { force: true })
  }

  /** Every blob in the directory, with its size and last use; temporary files and foreign names are skipped. */
  async list(): Promise<StoredBlob[]> {
    let names: string[]
    try {
      names = await readdir(this.#dir)
    } catch (error) {
      if (isNotFound(error)) return []
      throw error
    }
    const found: StoredBlob[] = []
    for (const name of names) {
      if (name.startsWith(TEMP_PREFIX)) continue
      let address: Address
      try {
        address = parseAddress(name).toString() as Address
      } catch {
        continue
      }
      if (address !== name) continue
      try {
        const info = await stat(join(this.#dir, name))
        if (info.isFile()) found.push({ address, size: info.size, usedAt: info.mtimeMs })
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
    }
    return found
  }

  /** Marks the blob used at `at` (its modification time), so its last use survives a restart; nothing happens when it is not here. */
  async touch(address: Address, at: number): Promise<void> {
    try {
      await utimes(this.#path(address), at / 1000, at / 1000)
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
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
