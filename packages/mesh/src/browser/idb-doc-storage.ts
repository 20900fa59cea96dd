import { copyBytes } from '@tessera/core'
import type { DocStorage } from '../storage/doc-storage.ts'
import { docRange, type TesseraDb } from './idb-schema.ts'
import { inTransaction } from './idb-transaction.ts'

/**
 * `DocStorage` over the `doc-updates` store of Tessera's IndexedDB database.
 * Every call is one transaction; writes use relaxed durability, which costs
 * about a twentieth of strict for the same data (shared/notes/libraries.md).
 * Open it through `openIndexedDbStorage`.
 */
export class IndexedDbDocStorage implements DocStorage {
  readonly #db: TesseraDb
  readonly #close: () => Promise<void>

  /** `close` is the shared database's: closing the doc storage closes the blob store too. */
  constructor(db: TesseraDb, close: () => Promise<void>) {
    this.#db = db
    this.#close = close
  }

  async load(guid: string): Promise<Uint8Array[]> {
    return this.#db.getAll('doc-updates', docRange(guid))
  }

  async append(guid: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return
    // Copied now: the caller may reuse its buffers during the awaits below, and a
    // view into a larger buffer would store that whole buffer.
    const copies = updates.map(copyBytes)
    const tx = this.#db.transaction('doc-updates', 'readwrite', { durability: 'relaxed' })
    await inTransaction(tx, async () => {
      const last = await tx.store.openKeyCursor(docRange(guid), 'prev')
      let seq = last === null ? 0 : last.key[1] + 1
      await Promise.all(copies.map((update) => tx.store.add(update, [guid, seq++])))
    })
  }

  async compact(guid: string, snapshot: Uint8Array): Promise<void> {
    const copy = copyBytes(snapshot)
    const tx = this.#db.transaction('doc-updates', 'readwrite', { durability: 'relaxed' })
    await inTransaction(tx, () => Promise.all([tx.store.delete(docRange(guid)), tx.store.add(copy, [guid, 0])]))
  }

  async remove(guid: string): Promise<void> {
    const tx = this.#db.transaction('doc-updates', 'readwrite', { durability: 'relaxed' })
    await inTransaction(tx, () => tx.store.delete(docRange(guid)))
  }

  async list(): Promise<string[]> {
    const tx = this.#db.transaction('doc-updates', 'readonly')
    return inTransaction(tx, async () => {
      const guids: string[] = []
      let cursor = await tx.store.openKeyCursor()
      while (cursor !== null) {
        const guid = cursor.key[0]
        guids.push(guid)
        // Skips the rest of this document's records in one step.
        cursor = await cursor.continue([guid, Infinity])
      }
      return guids
    })
  }

  close(): Promise<void> {
    return this.#close()
  }
}
