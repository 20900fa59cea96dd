import { openDB, type DBSchema, type IDBPDatabase } from 'idb'

/** One tab's key pair, in the slot whose Web Lock the tab holds (see idb-identity.ts). */
export interface StoredIdentityRecord {
  readonly version: 1
  readonly peer: string
  readonly secretKey: Uint8Array
}

/**
 * Tessera's one IndexedDB database. Doc updates are keyed `[guid, seq]`, so a
 * document's records are one key range: loaded with one `getAll`, removed with
 * one `delete`. Blobs are keyed by address; identities by slot number.
 */
export interface TesseraDbSchema extends DBSchema {
  'doc-updates': { key: [string, number]; value: Uint8Array }
  blobs: { key: string; value: Uint8Array }
  identities: { key: number; value: StoredIdentityRecord }
}

export type TesseraDb = IDBPDatabase<TesseraDbSchema>

/** 2 added `identities`. */
export const TESSERA_DB_VERSION = 2

export function upgradeTesseraDb(db: TesseraDb, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore('doc-updates')
    db.createObjectStore('blobs')
  }
  if (oldVersion < 2) db.createObjectStore('identities')
}

/** Opens (creating or upgrading) Tessera's database; the connection closes itself when another tab needs to upgrade it. */
export async function openTesseraDb(name: string): Promise<TesseraDb> {
  const db = await openDB<TesseraDbSchema>(name, TESSERA_DB_VERSION, {
    upgrade: (database, oldVersion) => upgradeTesseraDb(database, oldVersion),
    // Another tab wants to upgrade or delete the database; holding it open would block that tab.
    blocking: () => db.close(),
  })
  return db
}

/** Every record of one document: `seq` runs from 0 up, and `Infinity` is a valid key above any of them. */
export function docRange(guid: string): IDBKeyRange {
  return IDBKeyRange.bound([guid, 0], [guid, Infinity])
}
