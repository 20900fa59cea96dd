import { copyBytes } from '@tessera/core'
import type { DocStorage } from './doc-storage.ts'

/**
 * `DocStorage` in a map, for tests and for peers that keep nothing between
 * sessions. Bytes are copied on the way in and out, as a real medium would, so
 * neither the caller nor a reader can change what is stored.
 */
export class MemoryDocStorage implements DocStorage {
  readonly #docs = new Map<string, Uint8Array[]>()

  async load(guid: string): Promise<Uint8Array[]> {
    return (this.#docs.get(guid) ?? []).map(copyBytes)
  }

  async append(guid: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return
    const stored = this.#docs.get(guid) ?? []
    for (const update of updates) stored.push(copyBytes(update))
    this.#docs.set(guid, stored)
  }

  async compact(guid: string, snapshot: Uint8Array): Promise<void> {
    this.#docs.set(guid, [copyBytes(snapshot)])
  }

  async remove(guid: string): Promise<void> {
    this.#docs.delete(guid)
  }

  async list(): Promise<string[]> {
    return [...this.#docs.keys()]
  }

  async close(): Promise<void> {}
}
