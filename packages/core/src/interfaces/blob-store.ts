import type { Address, PeerId } from '../ids.ts'

export interface PutOptions {
  readonly verified?: boolean
  /**
   * The caller gives these bytes up: nothing will change them afterwards (its
   * own fresh encoding, a reply it reassembled), so a store may keep this very
   * array instead of a copy. A 2 MiB copy into fresh memory costs 7–10 ms here,
   * mostly page faults (docs/blob-copies.md).
   */
  readonly handOver?: boolean
}

export interface GetOptions {
  /**
   * The caller only reads the bytes and never changes them (it decodes or
   * sends them), so a store may return the array it keeps rather than a copy.
   */
  readonly readOnly?: boolean
}

/**
 * Bytes by content address. `put` verifies that the bytes hash to the address and
 * refuses them otherwise (`IntegrityError`), so a store never holds bytes under a
 * name they do not have.
 */
export interface BlobStore {
  /**
   * True when `get` only ever returns bytes whose hash this store has checked
   * against the address in this process: on `put` (or by the caller that
   * passed `verified`), on arrival from a peer, or on the first read of a file
   * an earlier process wrote. Readers (`ValueStore`) then skip a hash of
   * their own, about 1.7 ms per 2 MiB block. Absent: readers verify.
   */
  readonly verifiesReads?: boolean
  /**
   * `options.verified`: the caller has just checked these very bytes against
   * `address` (the blob exchange does, for every reply), so a store may skip
   * hashing them again. Stores that ignore it verify as always.
   */
  put(address: Address, bytes: Uint8Array, options?: PutOptions): Promise<void>
  /**
   * Resolves `undefined` when the blob is not here. The bytes are the caller's
   * to change unless it asked for `readOnly` ones. Stores may ignore both
   * options: copying is always allowed.
   */
  get(address: Address, options?: GetOptions): Promise<Uint8Array | undefined>
  has(address: Address): Promise<boolean>
  /**
   * Keeps bytes here without telling the swarm (no holder record): for the
   * cache tree's nodes, whose holders the document does not list (a record a
   * node would make the document grow with the cache). Default: `put`.
   */
  keep?(address: Address, bytes: Uint8Array): Promise<void>
  /**
   * Asks peers for bytes the swarm lists nowhere (a cache tree's node),
   * `preferred` first, then any linked peer; verifies and keeps them.
   * Undefined when no peer has them. Stores without a network lack it.
   */
  fetchUnlisted?(address: Address, preferred: readonly PeerId[]): Promise<Uint8Array | undefined>
}
