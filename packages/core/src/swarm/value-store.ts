import { addressOfBytesAsync, verifyBytes, verifyBytesAsync } from '../address.ts'
import { encodeCanonical } from '../encoding/canonical.ts'
import { decodeCanonical } from '../encoding/canonical.ts'
import type { Value } from '../encoding/supported-value.ts'
import { BlobNotFoundError } from '../errors.ts'
import type { Address } from '../ids.ts'
import type { BlobStore } from '../interfaces/blob-store.ts'
import { INLINE_VALUE_LIMIT } from './schema.ts'
import type { SwarmDoc } from './swarm-doc.ts'
import { recordResultValue, recordValue } from './writes.ts'
import { CompactedCache } from '../cache-tree/compacted-cache.ts'

/** Result values learned from the cache tree's leaves, kept in memory: the leaf they came from stays in the blob store. */
const MAX_LEARNED = 4_096
/**
 * Inline values kept at hand (`bytesAtHand`), by count and by bytes: all are dropped when either is
 * reached, and the next reads fill it again. Most results are a few bytes, so the count bounds it.
 */
const MAX_RECENT_INLINE = 4_096
const MAX_RECENT_INLINE_BYTES = 1024 * 1024

/**
 * The hash-addressed value store. Small values ride inside the swarm document;
 * larger ones are blobs, and the document only lists them, so no Yjs update has
 * to carry a large value. Bytes are verified against their address before they
 * are decoded, wherever they came from: here, or once by a blob store that
 * says so (`BlobStore.verifiesReads`).
 */
export class ValueStore {
  /**
   * Inline bytes already checked against their address. Yjs hands back the
   * same array on every read, so a hit skips the hash: a memoized call reads
   * its result here every time.
   */
  readonly #verified = new WeakSet<Uint8Array>()
  readonly #learned = new Map<Address, Uint8Array>()
  /** Inline bytes read lately, checked: a repeated hit finds its result without searching the index's shards. */
  readonly #recentInline = new Map<Address, Uint8Array>()
  #recentInlineBytes = 0
  #compacted: CompactedCache | undefined

  constructor(
    private readonly swarm: SwarmDoc,
    private readonly blobs: BlobStore,
    /** Values up to this many bytes are listed inline in the swarm document; larger ones are blobs. */
    readonly inlineLimit: number = INLINE_VALUE_LIMIT,
  ) {}

  /** `result`: a task's result, listed where it leaves the document with its cache entry (`recordResultValue`). */
  async put(value: unknown, rootName = 'value', kind: 'value' | 'result' = 'value'): Promise<Address> {
    const bytes = encodeCanonical(value, rootName)
    const address = await addressOfBytesAsync(bytes)
    await this.prepare(address, bytes, true)
    this.record(address, bytes, kind)
    return address
  }

  /** The cache, compacted entries included: the document's entries, then the tree's (`cache-tree/`). */
  get compacted(): CompactedCache {
    return (this.#compacted ??= new CompactedCache(this.swarm, this, this.blobs))
  }

  /**
   * A value's bytes found in a cache tree leaf, once checked against the
   * address: later reads of the address find them, though the document no
   * longer lists them. Returns whether they matched.
   */
  learn(address: Address, bytes: Uint8Array): boolean {
    if (this.#learned.has(address)) return true
    try {
      verifyBytes(address, bytes)
    } catch {
      return false
    }
    if (this.#learned.size >= MAX_LEARNED) this.#learned.delete(this.#learned.keys().next().value as Address)
    this.#learned.set(address, bytes)
    return true
  }

  /**
   * Step one of a put that is split so the index write can join a larger
   * transaction: stores a large value's blob. `ownEncoding`: the caller
   * encoded these very bytes in this process and computed `address` from them,
   * and nothing changes them afterwards, so the store need not hash them a
   * second time, nor copy them.
   */
  async prepare(address: Address, bytes: Uint8Array, ownEncoding = false): Promise<void> {
    // A listing in the document proves nothing (any peer can write one): what counts is holding the bytes.
    if (bytes.byteLength > this.inlineLimit && !(await this.blobs.has(address))) await this.blobs.put(address, bytes, ownEncoding ? { verified: true, handOver: true } : {})
  }

  /** Step two: lists the value in the swarm document (inline when small). */
  record(address: Address, bytes: Uint8Array, kind: 'value' | 'result' = 'value'): void {
    if (kind === 'result') recordResultValue(this.swarm, address, bytes, this.inlineLimit)
    else recordValue(this.swarm, address, bytes, this.inlineLimit)
  }

  /** A value's bytes, to read only: they may be the very array the document or the blob store keeps. */
  async bytes(address: Address): Promise<Uint8Array> {
    const known = this.bytesAtHand(address)
    if (known !== undefined) return known
    const bytes = await this.blobs.get(address, { readOnly: true })
    if (bytes === undefined) throw new BlobNotFoundError(`no value stored under ${address}`)
    // A store that checked these bytes once (made here, verified on arrival or on the first read from disk) is not second-guessed on every read.
    if (this.blobs.verifiesReads !== true) await verifyBytesAsync(address, bytes)
    return bytes
  }

  /**
   * A value's bytes when they need no fetch (inline in the index, or learned), checked against the address
   * once; to read only. A memoized hit takes its result from here without waiting on a promise.
   */
  bytesAtHand(address: Address): Uint8Array | undefined {
    const recent = this.#recentInline.get(address)
    if (recent !== undefined) return recent
    const inline = this.swarm.value(address)?.inline
    if (inline !== undefined) {
      if (!this.#verified.has(inline)) {
        verifyBytes(address, inline)
        this.#verified.add(inline)
      }
      // Bytes that match their address stay right whatever the document does later.
      if (this.#recentInline.size >= MAX_RECENT_INLINE || this.#recentInlineBytes + inline.byteLength > MAX_RECENT_INLINE_BYTES) {
        this.#recentInline.clear()
        this.#recentInlineBytes = 0
      }
      this.#recentInline.set(address, inline)
      this.#recentInlineBytes += inline.byteLength
      return inline
    }
    return this.#learned.get(address)
  }

  async get(address: Address): Promise<Value> {
    return decodeCanonical(await this.bytes(address))
  }

  has(address: Address): boolean {
    return this.swarm.listsValue(address) || this.#learned.has(address)
  }
}
