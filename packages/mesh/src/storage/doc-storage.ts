/**
 * Where a peer keeps its Yjs documents between sessions: an append-only log of
 * updates per document, compacted now and then into one snapshot. Adapters:
 * `MemoryDocStorage` (tests), `FsDocStorage` (Node, a directory) and
 * `IndexedDbDocStorage` (browsers, from `openIndexedDbStorage`). Every adapter
 * passes `docStorageChecks` (from `@tessera/mesh/testing`): bytes are
 * copied in and out, `append` of no updates stores nothing, and `close` may be
 * called twice. `DocPersistence` is what binds Y.Docs to one.
 */
export interface DocStorage {
  /** Every update stored for `guid`, oldest first; empty when there are none. */
  load(guid: string): Promise<Uint8Array[]>
  /** Appends updates, all in one write (one relaxed transaction in IndexedDB). */
  append(guid: string, updates: readonly Uint8Array[]): Promise<void>
  /** Replaces everything stored for `guid` with one snapshot, atomically where the medium allows. */
  compact(guid: string, snapshot: Uint8Array): Promise<void>
  /** Forgets a document (a dropped job). */
  remove(guid: string): Promise<void>
  /** The guids that have anything stored. */
  list(): Promise<string[]>
  close(): Promise<void>
}
