import { appendFile, mkdir, readdir, readFile, rm, stat, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import type { DocStorage } from '../storage/doc-storage.ts'
import { DEFAULT_DATA_DIR } from './data-dir.ts'
import { TEMP_PREFIX, writeAtomically } from './atomic-write.ts'
import { isNotFound } from './fs-errors.ts'
import { fileNameOfGuid, guidOfFileName } from './guid-file-name.ts'
import { decodeRecords, encodeRecords } from './update-log.ts'

export interface FsDocStorageOptions {
  /** The peer's data directory; documents go under `<dir>/docs/`. Default `.tessera`. */
  readonly dir?: string
}

const LOG_FILE = 'log'

/**
 * `DocStorage` in a directory: per document `<dir>/docs/<escaped guid>/log`, an
 * append-only file of checksummed records (see update-log.ts). An append is one
 * write and is not fsynced, like IndexedDB's relaxed durability; a crash during
 * it leaves a torn last record, which load drops and the next append cuts off.
 * A compaction writes a fresh one-record log and renames it over the old one.
 *
 * One process per directory: operations on a document are ordered within this
 * object, not across processes.
 */
export class FsDocStorage implements DocStorage {
  readonly #docsDir: string
  /** Per document, the tail of its queue of operations. */
  readonly #locks = new Map<string, Promise<unknown>>()
  /** Documents whose log is known to end in a whole record. */
  readonly #checked = new Set<string>()
  #closed = false

  constructor(options: FsDocStorageOptions = {}) {
    this.#docsDir = join(options.dir ?? DEFAULT_DATA_DIR, 'docs')
  }

  load(guid: string): Promise<Uint8Array[]> {
    return this.#exclusive(guid, () => this.#readLog(guid))
  }

  append(guid: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return this.#exclusive(guid, async () => {})
    // Encoded now, so a caller that reuses its buffers after the call changes nothing.
    const records = encodeRecords(updates)
    return this.#exclusive(guid, async () => {
      if (!this.#checked.has(guid)) await this.#readLog(guid)
      await mkdir(this.#docDir(guid), { recursive: true })
      try {
        await appendFile(this.#logPath(guid), records)
      } catch (error) {
        // Part of the records may be on disk; the next append must cut them off first.
        this.#checked.delete(guid)
        throw error
      }
    })
  }

  compact(guid: string, snapshot: Uint8Array): Promise<void> {
    const record = encodeRecords([snapshot])
    return this.#exclusive(guid, async () => {
      await mkdir(this.#docDir(guid), { recursive: true })
      // The old log stays whole until the rename, so a crash loses nothing.
      await writeAtomically(this.#logPath(guid), record, { fsync: true })
      this.#checked.add(guid)
    })
  }

  remove(guid: string): Promise<void> {
    return this.#exclusive(guid, async () => {
      await rm(this.#docDir(guid), { recursive: true, force: true })
      this.#checked.delete(guid)
    })
  }

  async list(): Promise<string[]> {
    this.#assertOpen()
    let names: string[]
    try {
      names = await readdir(this.#docsDir)
    } catch (error) {
      if (isNotFound(error)) return []
      throw error
    }
    const guids: string[] = []
    for (const name of names) {
      const guid = guidOfFileName(name)
      if (guid !== undefined && (await fileSize(join(this.#docsDir, name, LOG_FILE))) > 0) guids.push(guid)
    }
    return guids
  }

  async close(): Promise<void> {
    this.#closed = true
    await Promise.all(this.#locks.values())
  }

  /** Reads the log, cutting off a torn last record and clearing temporary files a crash left behind. */
  async #readLog(guid: string): Promise<Uint8Array[]> {
    const path = this.#logPath(guid)
    let bytes: Uint8Array
    try {
      bytes = await readFile(path)
    } catch (error) {
      if (!isNotFound(error)) throw error
      this.#checked.add(guid)
      return []
    }
    const { records, validBytes } = decodeRecords(bytes)
    if (!this.#checked.has(guid)) {
      if (validBytes < bytes.byteLength) await truncate(path, validBytes)
      await this.#removeTempFiles(guid)
      this.#checked.add(guid)
    }
    return records
  }

  async #removeTempFiles(guid: string): Promise<void> {
    const dir = this.#docDir(guid)
    for (const name of await readdir(dir)) {
      if (name.startsWith(TEMP_PREFIX)) await rm(join(dir, name), { force: true })
    }
  }

  #exclusive<T>(guid: string, operation: () => Promise<T>): Promise<T> {
    try {
      this.#assertOpen()
      fileNameOfGuid(guid)
    } catch (error) {
      return Promise.reject(error)
    }
    const previous = this.#locks.get(guid) ?? Promise.resolve()
    const result = previous.then(operation)
    const tail = result.catch(() => {})
    this.#locks.set(guid, tail)
    // Drops the entry once idle, so the map does not grow with every document ever touched.
    void tail.then(() => {
      if (this.#locks.get(guid) === tail) this.#locks.delete(guid)
    })
    return result
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('FsDocStorage is closed')
  }

  #docDir(guid: string): string {
    return join(this.#docsDir, fileNameOfGuid(guid))
  }

  #logPath(guid: string): string {
    return join(this.#docDir(guid), LOG_FILE)
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch (error) {
    if (isNotFound(error)) return 0
    throw error
  }
}
