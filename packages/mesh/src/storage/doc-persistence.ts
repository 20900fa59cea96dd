import * as Y from 'yjs'
import type { DocStorage } from './doc-storage.ts'

export interface DocPersistenceOptions {
  /** How long updates gather before they are written together; default 100 ms. */
  readonly flushMs?: number
  /** Once more updates than this are stored for a document, the next write replaces them with one snapshot; default 500. */
  readonly compactAfter?: number
  /**
   * Told about every failed write (a full quota, a closed database). The updates
   * stay buffered and the write is retried, backing off up to 30 s; `flush` and
   * `close` retry at once. Default: `console.error`.
   */
  readonly onError?: (error: unknown, guid: string) => void
}

export const DOC_PERSISTENCE_DEFAULTS = { flushMs: 100, compactAfter: 500 } as const

const MAX_RETRY_MS = 30_000

type WriteResult = { readonly ok: true } | { readonly ok: false; readonly error: unknown }
const OK: WriteResult = { ok: true }

interface Binding {
  readonly doc: Y.Doc
  /** Resolves once the stored updates are in the document. */
  ready: Promise<void>
  /** Updates not yet written, oldest first. */
  pending: Uint8Array[]
  /** How many updates the storage holds for this document, as far as this binding knows. */
  stored: number
  timer: ReturnType<typeof setTimeout> | undefined
  failures: number
  /** Writes for one document run one after another, so a compaction never overtakes an append. */
  queue: Promise<unknown>
  detached: boolean
  readonly onUpdate: (update: Uint8Array, origin: unknown) => void
  readonly onDestroy: () => void
}

/**
 * Keeps Y.Docs in a `DocStorage`: `open` loads what is stored into the document,
 * then its updates are gathered and written in one `append` per document at most
 * every `flushMs` (storage costs per write, not per byte), and replaced by a
 * snapshot once `compactAfter` updates pile up.
 */
export class DocPersistence {
  readonly #storage: DocStorage
  readonly #flushMs: number
  readonly #compactAfter: number
  readonly #onError: (error: unknown, guid: string) => void
  readonly #bindings = new Map<string, Binding>()

  constructor(storage: DocStorage, options: DocPersistenceOptions = {}) {
    this.#storage = storage
    this.#flushMs = options.flushMs ?? DOC_PERSISTENCE_DEFAULTS.flushMs
    this.#compactAfter = options.compactAfter ?? DOC_PERSISTENCE_DEFAULTS.compactAfter
    this.#onError = options.onError ?? ((error, guid) => console.error(`tessera: could not persist document ${guid}`, error))
    if (!(this.#flushMs >= 0)) throw new RangeError(`flushMs must be 0 or more, got ${this.#flushMs}`)
    if (!(this.#compactAfter >= 1)) throw new RangeError(`compactAfter must be 1 or more, got ${this.#compactAfter}`)
  }

  /**
   * Applies the stored updates to `doc` (with this object as the origin, so they
   * are not written back) and from then on persists its updates. Opening the same
   * document again is a no-op; another document with the same guid is refused.
   */
  open(doc: Y.Doc): Promise<void> {
    const existing = this.#bindings.get(doc.guid)
    if (existing !== undefined) {
      if (existing.doc === doc) return existing.ready
      return Promise.reject(new Error(`another Y.Doc with guid ${JSON.stringify(doc.guid)} is already persisted here`))
    }
    // Listens before loading, so an edit made while the load runs is not missed.
    const binding: Binding = {
      doc,
      ready: Promise.resolve(),
      pending: [],
      stored: 0,
      timer: undefined,
      failures: 0,
      queue: Promise.resolve(),
      detached: false,
      onUpdate: (update, origin) => {
        if (origin === this) return
        binding.pending.push(update)
        this.#schedule(binding, this.#flushMs)
      },
      onDestroy: () => {
        // Failures were reported to onError already, and the binding stays to retry.
        this.close(doc.guid).catch(() => {})
      },
    }
    // What the document held before it was opened is stored nowhere yet.
    if (Y.encodeStateVector(doc).byteLength > 1) binding.pending.push(Y.encodeStateAsUpdate(doc))
    this.#bindings.set(doc.guid, binding)
    doc.on('update', binding.onUpdate)
    doc.on('destroy', binding.onDestroy)
    binding.ready = this.#load(binding)
    binding.queue = binding.ready.catch(() => {})
    return binding.ready
  }

  /** Writes every document's buffered updates now. Never rejects: failures go to `onError` and are retried. */
  async flush(): Promise<void> {
    await Promise.all([...this.#bindings.values()].map((binding) => this.#enqueueWrite(binding)))
  }

  /**
   * Writes what is buffered for `guid`, then stops persisting it. Rejects if the
   * final write fails; the document then stays bound, so nothing is dropped.
   */
  async close(guid: string): Promise<void> {
    const binding = this.#bindings.get(guid)
    if (binding === undefined) return
    // Updates made while a write runs join the next one; close once none are left.
    do {
      const result = await this.#enqueueWrite(binding)
      if (!result.ok) throw result.error
    } while (binding.pending.length > 0 && !binding.detached)
    this.#detach(binding)
  }

  /** `close` for every document; rejects with an `AggregateError` if any final write failed. */
  async closeAll(): Promise<void> {
    const results = await Promise.allSettled([...this.#bindings.keys()].map((guid) => this.close(guid)))
    const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []))
    if (errors.length > 0) throw new AggregateError(errors, `could not persist ${errors.length} document(s) on close`)
  }

  /** Stops persisting `guid`, drops what is buffered for it, and removes it from storage (a dropped job). */
  async forget(guid: string): Promise<void> {
    const binding = this.#bindings.get(guid)
    if (binding !== undefined) {
      this.#detach(binding)
      binding.pending = []
      // A write already under way could land after the removal and bring the document back.
      await binding.queue
    }
    await this.#storage.remove(guid)
  }

  async #load(binding: Binding): Promise<void> {
    const { doc } = binding
    try {
      const updates = await this.#storage.load(doc.guid)
      if (binding.detached) return
      binding.stored = updates.length
      this.#apply(doc, updates)
    } catch (error) {
      this.#detach(binding)
      throw error
    }
    if (binding.pending.length > 0 || binding.stored > this.#compactAfter) this.#schedule(binding, this.#flushMs)
  }

  #apply(doc: Y.Doc, updates: readonly Uint8Array[]): void {
    if (updates.length === 0) return
    // One transaction, so observers see one update event rather than one per stored record.
    Y.transact(
      doc,
      () => {
        for (const update of updates) Y.applyUpdate(doc, update, this)
      },
      this,
    )
  }

  #schedule(binding: Binding, delayMs: number): void {
    if (binding.timer !== undefined || binding.detached) return
    binding.timer = setTimeout(() => {
      binding.timer = undefined
      void this.#enqueueWrite(binding)
    }, delayMs)
  }

  #enqueueWrite(binding: Binding): Promise<WriteResult> {
    if (binding.timer !== undefined) {
      clearTimeout(binding.timer)
      binding.timer = undefined
    }
    const write = binding.queue.then(() => this.#write(binding))
    binding.queue = write
    return write
  }

  async #write(binding: Binding): Promise<WriteResult> {
    const compacting = binding.stored + binding.pending.length > this.#compactAfter
    if (binding.detached || (binding.pending.length === 0 && !compacting)) return OK
    const { guid } = binding.doc
    const batch = binding.pending
    binding.pending = []
    try {
      if (compacting) {
        await this.#compact(binding)
      } else {
        await this.#storage.append(guid, batch)
        binding.stored += batch.length
      }
      binding.failures = 0
      return OK
    } catch (error) {
      binding.pending = batch.concat(binding.pending)
      binding.failures += 1
      this.#report(error, guid)
      this.#schedule(binding, Math.min(Math.max(this.#flushMs, 1) * 2 ** binding.failures, MAX_RETRY_MS))
      return { ok: false, error }
    }
  }

  async #compact(binding: Binding): Promise<void> {
    const { doc } = binding
    // Another writer (a second tab on the same IndexedDB) may have stored updates
    // this document lacks; the snapshot replaces them, so take them in first.
    this.#apply(doc, await this.#storage.load(doc.guid))
    await this.#storage.compact(doc.guid, Y.encodeStateAsUpdate(doc))
    binding.stored = 1
  }

  #detach(binding: Binding): void {
    binding.detached = true
    if (binding.timer !== undefined) clearTimeout(binding.timer)
    binding.timer = undefined
    binding.doc.off('update', binding.onUpdate)
    binding.doc.off('destroy', binding.onDestroy)
    if (this.#bindings.get(binding.doc.guid) === binding) this.#bindings.delete(binding.doc.guid)
  }

  #report(error: unknown, guid: string): void {
    try {
      this.#onError(error, guid)
    } catch {
      // A throwing onError must not stop the retries.
    }
  }
}
