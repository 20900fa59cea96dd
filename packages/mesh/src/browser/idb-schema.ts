import type { DBSchema, IDBPDatabase } from 'idb'

/**
 * Tessera's one IndexedDB database. Doc updates are keyed `[guid, seq]`, so a
 * document's records are one key range: loaded with one `getAll`, removed with
 * one `delete`. Blobs are keyed by address.
 */
export interface TesseraDbSchema extends DBSchema {
  'doc-updates': { key: [string, number]; value: Uint8Array }
  blobs: { key: string; value: Uint8Array }
}

export type TesseraDb = IDBPDatabase<TesseraDbSchema>

export const TESSERA_DB_VERSION = 1

export function upgradeTesseraDb(db: TesseraDb, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore('doc-updates')
    db.createObjectStore('blobs')
  }
}

/** Every record of one document: `seq` runs from 0 up, and `Infinity` is a valid key above any of them. */
export function docRange(guid: string): IDBKeyRange {
  return IDBKeyRange.bound([guid, 0], [guid, Infinity])
}
