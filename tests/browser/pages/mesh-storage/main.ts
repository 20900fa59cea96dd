import { addressOfBytesAsync, RAW_CODEC, type Address } from '@tessera/core'
import { DocPersistence, openIndexedDbStorage, type DocStorage } from '@tessera/mesh/browser'
import { blobStoreChecks, runChecks, type CheckResult } from '@tessera/core/testing'
import { docStorageChecks } from '@tessera/mesh/testing'
import * as Y from 'yjs'

/**
 * Drives IndexedDB storage for tests/browser/mesh-storage.test.ts, which calls
 * these functions through `page.evaluate` and compares what they report.
 */

// Counts transactions where IndexedDB starts them, beneath idb, so a test can
// tell one transaction from many without timing anything.
const transactions = { readonly: 0, readwrite: 0, versionchange: 0 }
const startTransaction = IDBDatabase.prototype.transaction
IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
  transactions[args[1] ?? 'readonly'] += 1
  return startTransaction.apply(this, args)
} as IDBDatabase['transaction']

const GUID = 'tessera/job/reload'
const ENTRIES = 2000
const PAYLOAD_BYTES = 2 * 1024 * 1024

export interface ContractReport {
  readonly docs: CheckResult[]
  readonly blobs: CheckResult[]
}

export interface DocSummary {
  readonly stateVector: number[]
  readonly entries: number
  readonly entriesDigest: string
  readonly payloadDigest: string
  readonly payloadBytes: number
  readonly blob: string | undefined
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error)
  })
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)))
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

function payload(): Uint8Array {
  const bytes = new Uint8Array(PAYLOAD_BYTES)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 11)) & 0xff
  return bytes
}

async function summarize(doc: Y.Doc, blob: string | undefined): Promise<DocSummary> {
  const map = doc.getMap<unknown>('m')
  const entries = [...map.entries()].filter(([key]) => key !== 'payload').sort(([a], [b]) => (a < b ? -1 : 1))
  const value = map.get('payload')
  const bytes = value instanceof Uint8Array ? value : new Uint8Array(0)
  return {
    stateVector: [...Y.encodeStateVector(doc)],
    entries: entries.length,
    entriesDigest: await sha256(new TextEncoder().encode(JSON.stringify(entries))),
    payloadDigest: await sha256(bytes),
    payloadBytes: bytes.byteLength,
    blob,
  }
}

/** Counts writes on the way through, for the report. */
function counting(inner: DocStorage, counts: { appends: number; compactions: number }): DocStorage {
  return {
    load: (guid) => inner.load(guid),
    append: (guid, updates) => ((counts.appends += 1), inner.append(guid, updates)),
    compact: (guid, snapshot) => ((counts.compactions += 1), inner.compact(guid, snapshot)),
    remove: (guid) => inner.remove(guid),
    list: () => inner.list(),
    close: () => inner.close(),
  }
}

const api = {
  transactions,

  async runContract(prefix: string): Promise<ContractReport> {
    let made = 0
    const docs = await runChecks(docStorageChecks, async () => {
      const name = `${prefix}-docs-${made++}`
      const { docs: storage } = await openIndexedDbStorage({ name })
      return {
        storage,
        reopen: async () => (await openIndexedDbStorage({ name })).docs,
        teardown: () => deleteDatabase(name),
      }
    })
    const maxBlobBytes = 8 * 1024 * 1024
    const blobs = await runChecks(blobStoreChecks, async () => {
      const name = `${prefix}-blobs-${made++}`
      const storage = await openIndexedDbStorage({ name, maxBlobBytes })
      return {
        store: storage.blobs,
        maxBlobBytes,
        teardown: async () => {
          await storage.close()
          await deleteDatabase(name)
        },
      }
    })
    return { docs, blobs }
  },

  /** Stores a blob, then damages its record behind the store's back; the store must report it missing. */
  async damagedBlob(name: string): Promise<{ before: boolean; got: string; hasAfter: boolean }> {
    const storage = await openIndexedDbStorage({ name })
    const bytes = payload().subarray(0, 100_000)
    const address = await addressOfBytesAsync(bytes, RAW_CODEC)
    await storage.blobs.put(address, bytes)
    const before = await storage.blobs.has(address)
    const damaged = new Uint8Array(bytes)
    damaged[500] = (damaged[500] ?? 0) ^ 0xff
    await new Promise<void>((resolve, reject) => {
      const raw = indexedDB.open(name)
      raw.onsuccess = () => {
        const tx = raw.result.transaction('blobs', 'readwrite')
        tx.objectStore('blobs').put(damaged, address)
        tx.oncomplete = () => (raw.result.close(), resolve())
        tx.onerror = () => reject(tx.error)
      }
      raw.onerror = () => reject(raw.error)
    })
    const got = await storage.blobs.get(address)
    const hasAfter = await storage.blobs.has(address)
    await storage.close()
    return { before, got: got === undefined ? 'undefined' : `${got.byteLength} bytes`, hasAfter }
  },

  /** Writes a document through DocPersistence and leaves it for a reload to find. */
  async writeDoc(name: string): Promise<DocSummary & { appends: number; compactions: number; persisted: boolean; writeMs: number }> {
    const start = performance.now()
    const storage = await openIndexedDbStorage({ name })
    const counts = { appends: 0, compactions: 0 }
    const persistence = new DocPersistence(counting(storage.docs, counts))
    const doc = new Y.Doc({ guid: GUID })
    await persistence.open(doc)
    const map = doc.getMap<unknown>('m')
    // Bursts of single-entry transactions, as edits arrive: appends first, then a compaction once 500 are stored.
    for (let burst = 0; burst < 10; burst++) {
      for (let i = 0; i < ENTRIES / 10; i++) map.set(`entry-${burst}-${i}`, { burst, i, text: `value ${burst * 1000 + i}` })
      await persistence.flush()
    }
    map.set('payload', payload())
    await persistence.flush()
    const blobBytes = payload().subarray(0, 1024 * 1024)
    const blob = await addressOfBytesAsync(blobBytes, RAW_CODEC)
    await storage.blobs.put(blob, blobBytes)
    const writeMs = performance.now() - start
    // No close: the reload must find what flush wrote, as after a tab is killed.
    return { ...(await summarize(doc, blob)), ...counts, persisted: storage.persisted, writeMs }
  },

  /** Opens the document `writeDoc` wrote, as a reloaded tab does. */
  async readDoc(name: string, blob: string): Promise<DocSummary & { openMs: number; loadMs: number; stored: number }> {
    const start = performance.now()
    const storage = await openIndexedDbStorage({ name })
    const openMs = performance.now() - start
    const stored = (await storage.docs.load(GUID)).length
    const loadStart = performance.now()
    const doc = new Y.Doc({ guid: GUID })
    const persistence = new DocPersistence(storage.docs)
    await persistence.open(doc)
    const loadMs = performance.now() - loadStart
    const bytes = await storage.blobs.get(blob as Address)
    const blobSummary = bytes === undefined ? undefined : `${await addressOfBytesAsync(bytes, RAW_CODEC)}`
    await persistence.closeAll()
    await storage.close()
    return { ...(await summarize(doc, blobSummary)), openMs, loadMs, stored }
  },

  /** One `append` of 1,000 updates, counting the transactions it starts; and, for scale, 100 appends of one. */
  async appendMany(name: string): Promise<{ readwrite: number; readonly: number; oneCallMs: number; loaded: number; separateCalls: number; separateMs: number }> {
    const storage = await openIndexedDbStorage({ name })
    const updates = Array.from({ length: 1000 }, (_, i) => new TextEncoder().encode(`update ${i} `.repeat(4)))
    const before = { ...transactions }
    let start = performance.now()
    await storage.docs.append('tessera/swarm', updates)
    const oneCallMs = performance.now() - start
    const readwrite = transactions.readwrite - before.readwrite
    const readonly = transactions.readonly - before.readonly
    const loaded = (await storage.docs.load('tessera/swarm')).length
    start = performance.now()
    for (let i = 0; i < 100; i++) await storage.docs.append('tessera/other', [updates[i] ?? new Uint8Array(1)])
    const separateMs = performance.now() - start
    await storage.close()
    await deleteDatabase(name)
    return { readwrite, readonly, oneCallMs, loaded, separateCalls: 100, separateMs }
  },

  /** Appends until the (test-lowered) quota runs out; reports the error the caller sees. */
  async fillQuota(name: string): Promise<{ name: string; message: string; causeName: string | undefined; appended: number }> {
    const storage = await openIndexedDbStorage({ name })
    let appended = 0
    try {
      for (; appended < 200; appended++) await storage.docs.append('tessera/swarm', [payload()])
      return { name: 'none', message: 'the quota never ran out', causeName: undefined, appended }
    } catch (error) {
      const { name: errorName, message, cause } = error as Error
      return { name: errorName, message, causeName: (cause as Error | undefined)?.name, appended }
    } finally {
      await storage.close()
      await deleteDatabase(name)
    }
  },
}

export type MeshStoragePage = typeof api

const output = globalThis as typeof globalThis & { meshStorage?: MeshStoragePage }
output.meshStorage = api
