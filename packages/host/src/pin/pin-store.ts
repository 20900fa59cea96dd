import type { Address, BlobStore } from '@tessera/core'
import { FsBlobStore } from '@tessera/mesh/node'
import type { HeldBlob } from './eviction-policy.ts'

/** A blob served again within this long is not re-dated on disk: one `utimes` per blob a minute at most. */
const TOUCH_EVERY_MS = 60_000

/**
 * The pinning host's blobs on disk (`FsBlobStore`), with an index of their
 * sizes and last use kept in memory. Last use is the file's modification
 * time, so it survives a restart: `open()` rebuilds the index from the
 * directory, and what was on disk is served at once, nothing fetched again.
 */
export class PinStore implements BlobStore {
  readonly #files: FsBlobStore
  readonly #held = new Map<Address, { size: number; usedAt: number; touchedAt: number }>()
  #bytes = 0

  private constructor(dir: string) {
    this.#files = new FsBlobStore({ dir })
  }

  /** The store under `dir` (the room's data directory), with what it already holds indexed. */
  static async open(dir: string): Promise<PinStore> {
    const store = new PinStore(dir)
    for (const blob of await store.#files.list()) store.#index(blob.address, blob.size, blob.usedAt, blob.usedAt)
    return store
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
    await this.#files.put(address, bytes)
    const now = Date.now()
    this.#index(address, bytes.byteLength, now, now)
  }

  async get(address: Address): Promise<Uint8Array | undefined> {
    const bytes = await this.#files.get(address)
    // A file the disk damaged is deleted by `get`: forget it, so it is fetched again.
    if (bytes === undefined) this.#forget(address)
    return bytes
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
