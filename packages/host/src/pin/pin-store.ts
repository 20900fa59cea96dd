import { verifyBytesAsync, type Address, type BlobStore } from '@tessera/core'
import { FsBlobStore } from '@tessera/mesh/node'
import type { HeldBlob } from './eviction-policy.ts'
import type { S3Mirror } from './s3-mirror.ts'

/** What the bucket behind a pinning store did since it opened. */
export interface MirrorStats {
  readonly uploaded: number
  /** Blobs read back from the bucket because the disk no longer had them. */
  readonly restored: number
  /** Uploads that failed and wait for the next try. */
  readonly pending: number
}

/** A blob served again within this long is not re-dated on disk: one `utimes` per blob a minute at most. */
const TOUCH_EVERY_MS = 60_000

/**
 * The pinning host's blobs on disk (`FsBlobStore`), with an index of their
 * sizes and last use kept in memory. Last use is the file's modification
 * time, so it survives a restart: `open()` rebuilds the index from the
 * directory, and what was on disk is served at once, nothing fetched again.
 */
export class PinStore implements BlobStore {
  /** Its files are an `FsBlobStore`'s, and the bucket's copies are verified on the way back. */
  readonly verifiesReads = true
  readonly #files: FsBlobStore
  readonly #held = new Map<Address, { size: number; usedAt: number; touchedAt: number }>()
  readonly #mirror: S3Mirror | undefined
  /** Stored here but not yet in the bucket: the upload failed, and is tried again. */
  readonly #unmirrored = new Set<Address>()
  /** Which addresses are worth a bucket read: by default all; the pinning host says only those the room lists. */
  #restorable: (address: Address) => boolean = () => true
  #bytes = 0
  #uploaded = 0
  #restored = 0

  private constructor(dir: string, mirror: S3Mirror | undefined) {
    this.#files = new FsBlobStore({ dir })
    this.#mirror = mirror
  }

  /**
   * The store under `dir` (the room's data directory), with what it already
   * holds indexed. With a `mirror`, every blob stored is written through to
   * the bucket, and a blob the disk lacks (evicted, or a new disk) is read
   * back from it, checked against its address.
   */
  static async open(dir: string, options: { readonly mirror?: S3Mirror } = {}): Promise<PinStore> {
    const store = new PinStore(dir, options.mirror)
    for (const blob of await store.#files.list()) store.#index(blob.address, blob.size, blob.usedAt, blob.usedAt)
    return store
  }

  /** Whether a bucket keeps every blob too: then an evicted blob can still be served. */
  get mirrored(): boolean {
    return this.#mirror !== undefined
  }

  /** Reads back from the bucket only addresses `restorable` accepts: a peer asking for unknown ones costs no bucket request. */
  restoreOnly(restorable: (address: Address) => boolean): void {
    this.#restorable = restorable
  }

  mirrorStats(): MirrorStats | undefined {
    return this.#mirror === undefined ? undefined : { uploaded: this.#uploaded, restored: this.#restored, pending: this.#unmirrored.size }
  }

  /** Uploads again what failed to upload, while it is still on disk; resolves with how many are still pending. */
  async retryUploads(): Promise<number> {
    for (const address of [...this.#unmirrored]) {
      const bytes = await this.#files.get(address)
      if (bytes === undefined) this.#unmirrored.delete(address)
      else await this.#upload(address, bytes)
    }
    return this.#unmirrored.size
  }

  get bytes(): number {
    return this.#bytes
  }

  get count(): number {
    return this.#held.size
  }

  /** Whether the index lists it (no disk access: the pinning loop asks this for every value). */
  holds(address: Address): boolean {
    return this.#held.has(address)
  }

  held(): HeldBlob[] {
    return [...this.#held].map(([address, { size, usedAt }]) => ({ address, size, usedAt }))
  }

  async put(address: Address, bytes: Uint8Array): Promise<void> {
    await this.#store(address, bytes)
    await this.#upload(address, bytes)
  }

  async get(address: Address): Promise<Uint8Array | undefined> {
    const bytes = await this.#files.get(address)
    if (bytes !== undefined) return bytes
    // A file the disk damaged is deleted by `get`: forget it, so it is fetched again.
    this.#forget(address)
    return this.#restore(address)
  }

  async has(address: Address): Promise<boolean> {
    return this.#files.has(address)
  }

  async delete(address: Address): Promise<void> {
    this.#forget(address)
    await this.#files.delete(address)
  }

  /** A peer was sent this blob: it counts as used now, for least-recently-used eviction; resolves once that is on disk too. */
  async used(address: Address, at = Date.now()): Promise<void> {
    const entry = this.#held.get(address)
    if (entry === undefined) return
    entry.usedAt = at
    if (at - entry.touchedAt < TOUCH_EVERY_MS) return
    entry.touchedAt = at
    // Only an eviction order rides on it: a date that failed to reach the disk costs nothing else.
    await this.#files.touch(address, at).catch(() => {})
  }

  async #store(address: Address, bytes: Uint8Array): Promise<void> {
    await this.#files.put(address, bytes)
    const now = Date.now()
    this.#index(address, bytes.byteLength, now, now)
  }

  /** Writes through to the bucket; a failure leaves the blob here and marks it for `retryUploads`. */
  async #upload(address: Address, bytes: Uint8Array): Promise<void> {
    if (this.#mirror === undefined) return
    try {
      await this.#mirror.put(address, bytes)
      this.#uploaded++
      this.#unmirrored.delete(address)
    } catch {
      this.#unmirrored.add(address)
    }
  }

  /** The bucket's copy, if it hashes to its address; kept on disk again, as a blob just used. */
  async #restore(address: Address): Promise<Uint8Array | undefined> {
    if (this.#mirror === undefined || !this.#restorable(address)) return undefined
    let bytes: Uint8Array | undefined
    try {
      bytes = await this.#mirror.get(address)
      if (bytes === undefined) return undefined
      await verifyBytesAsync(address, bytes)
    } catch {
      // A damaged object (IntegrityError), or a bucket out of reach: as if it were not there, so peers are asked.
      return undefined
    }
    await this.#store(address, bytes)
    this.#restored++
    return bytes
  }

  #index(address: Address, size: number, usedAt: number, touchedAt: number): void {
    this.#forget(address)
    this.#held.set(address, { size, usedAt, touchedAt })
    this.#bytes += size
  }

  #forget(address: Address): void {
    const entry = this.#held.get(address)
    if (entry === undefined) return
    this.#held.delete(address)
    this.#bytes -= entry.size
  }
}
