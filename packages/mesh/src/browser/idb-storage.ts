import type { DocStorage } from '../storage/doc-storage.ts'
import { IndexedDbBlobStore } from './idb-blob-store.ts'
import { IndexedDbDocStorage } from './idb-doc-storage.ts'
import { openTesseraDb } from './idb-schema.ts'

export interface IndexedDbStorageOptions {
  /** The IndexedDB database's name; default `tessera`. */
  readonly name?: string
  /** Blobs over this many bytes are refused with `SizeLimitError`; default `DEFAULT_MAX_BLOB_BYTES`. */
  readonly maxBlobBytes?: number
}

export interface IndexedDbStorage {
  readonly docs: DocStorage
  readonly blobs: IndexedDbBlobStore
  /** Whether the browser agreed to keep this site's data under storage pressure (`navigator.storage.persist()`). */
  readonly persisted: boolean
  /** Closes the database; `docs` and `blobs` stop working. */
  close(): Promise<void>
}

/**
 * Opens Tessera's IndexedDB database, which holds both the documents and the
 * blobs, and asks the browser to keep it (a best-effort request: a browser may
 * refuse, and then evicts the site's data only under storage pressure).
 */
export async function openIndexedDbStorage(options: IndexedDbStorageOptions = {}): Promise<IndexedDbStorage> {
  const persisted = requestPersistence()
  const db = await openTesseraDb(options.name ?? 'tessera')
  const close = async (): Promise<void> => db.close()
  return {
    docs: new IndexedDbDocStorage(db, close),
    blobs: new IndexedDbBlobStore(db, options.maxBlobBytes === undefined ? {} : { maxBlobBytes: options.maxBlobBytes }),
    persisted: await persisted,
    close,
  }
}

async function requestPersistence(): Promise<boolean> {
  try {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage
    if (storage === undefined) return false
    if (await storage.persisted?.()) return true
    return (await storage.persist?.()) ?? false
  } catch {
    return false
  }
}
