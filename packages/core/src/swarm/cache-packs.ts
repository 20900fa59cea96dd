import * as v from 'valibot'
import type { Address, PeerId, TaskKey } from '../ids.ts'
import { HASH_BYTES } from '../identity/merkle.ts'
import { SIGNATURE_TEXT_LENGTH } from '../identity/signatures.ts'
import { MAX_SIGNED_BATCH, outcomeLeafHash, packedNodes, verifyPackedOutcomes } from './outcome-proofs.ts'
import { checker, idSchema, intSchema, isRecordAddress, MAX_QUORUM, record, vouchForCacheEntry } from './records.ts'
import type { CacheEntry, OutcomeProof, SignedOutcome } from './schema.ts'

/**
 * Cache entries written together, as one record of a cache shard: the
 * entries a referee accepts in one flush (`peer/referee.ts`) share their
 * signers' batches, and one entry per key repeated each signer's id,
 * signature and an audit path of log2(batch) hashes: about 1.1 KB an entry,
 * two thirds of what a dispatching host sent. A pack lists the task keys and
 * results once and, per signed batch, where each entry's statement sits in it
 * and one multiproof for all of them (`merkle-multiproof.ts`): about a tenth.
 *
 * Readers see the entries, never the pack (`cache-shards.ts` indexes packs by
 * the keys inside): each signer's multiproof is checked once per pack, and
 * each entry comes out with its proofs rebuilt, as a per-key entry would
 * carry them, so the merge rule, the compaction into the tree and every check
 * downstream are those of any entry. A pack with one bad signer, a repeated
 * key or an entry without a proof yields nothing. Only values are packed: a
 * failure may be forgotten (`forgetFailure`), which deletes its key.
 */
export interface CachePack {
  readonly keys: readonly TaskKey[]
  /** The result of each entry, in `keys`' order. */
  readonly results: readonly Address[]
  readonly signers: readonly PackSigner[]
}

/** One signed batch and the entries of the pack it covers. */
export interface PackSigner {
  readonly peer: PeerId
  readonly sig: string
  /** Leaves in the signed batch. */
  readonly size: number
  /** Per entry, in `keys`' order: its statement's leaf in the batch, or −1 when this batch does not sign it. */
  readonly leaves: readonly number[]
  /** The multiproof's nodes, concatenated in base64url (`packedNodes`). */
  readonly nodes: string
}

/** Shard keys of packs start with this; task keys never do. */
export const PACK_PREFIX = '#'
/** Entries per pack: a referee flush holds at most as many verdicts (`MAX_VERDICT_LEAVES`). */
export const MAX_PACK_ENTRIES = 4096
/** Batches per pack: a flush's entries come from a few reporters' flushes and the referee's own. */
export const MAX_PACK_SIGNERS = 256

export const isPackKey = (key: string): boolean => key.startsWith(PACK_PREFIX)

const address = v.custom<Address>(isRecordAddress, 'not an address')
const BASE64URL = /^[A-Za-z0-9_-]*$/
const signerSchema = record({
  peer: idSchema,
  sig: v.pipe(v.string(), v.length(SIGNATURE_TEXT_LENGTH), v.regex(BASE64URL)),
  size: intSchema(1, MAX_SIGNED_BATCH),
  leaves: v.pipe(v.array(intSchema(-1, MAX_SIGNED_BATCH - 1)), v.maxLength(MAX_PACK_ENTRIES)),
  // At most one node per entry per level of a batch of MAX_SIGNED_BATCH (16 levels).
  nodes: v.pipe(v.string(), v.maxLength(Math.ceil((MAX_PACK_ENTRIES * 16 * HASH_BYTES * 4) / 3)), v.regex(BASE64URL)),
})
const packSchema = v.pipe(
  record({
    keys: v.pipe(v.array(address), v.minLength(1), v.maxLength(MAX_PACK_ENTRIES)),
    results: v.array(address),
    signers: v.pipe(v.array(signerSchema), v.minLength(1), v.maxLength(MAX_PACK_SIGNERS)),
  }),
  v.check((pack) => pack.results.length === pack.keys.length && pack.signers.every((signer) => signer.leaves.length === pack.keys.length), 'misaligned pack'),
)
const isPackShaped = checker<CachePack>(packSchema)

/** The task keys a pack names, before any check of its proofs: what to index and tell observers. */
export function packKeys(raw: unknown): readonly TaskKey[] {
  return isPackShaped(raw) ? raw.keys : []
}

type ValueEntry = Extract<CacheEntry, { kind: 'value' }>
const NOTHING: ReadonlyMap<TaskKey, ValueEntry> = new Map()
const expanded = new WeakMap<object, ReadonlyMap<TaskKey, ValueEntry>>()

/** This pack was opened here already: its entries cost a lookup. */
export const packOpened = (raw: unknown): boolean => typeof raw === 'object' && raw !== null && expanded.has(raw)

/** The entries a pack proves, by task key; none when any part of it fails. Never throws. */
export function packEntries(raw: unknown): ReadonlyMap<TaskKey, ValueEntry> {
  if (!isPackShaped(raw)) return NOTHING
  let entries = expanded.get(raw)
  if (entries === undefined) expanded.set(raw, (entries = expand(raw)))
  return entries
}

function expand(pack: CachePack): ReadonlyMap<TaskKey, ValueEntry> {
  const proofs: SignedOutcome[][] = pack.keys.map(() => [])
  // Every signer of an entry signs the same statement: one leaf hash per entry.
  const hashes: Array<Uint8Array | undefined> = []
  for (const { peer, sig, size, leaves, nodes } of pack.signers) {
    const covered: Array<{ at: number; leaf: number; key: TaskKey; outcome: { kind: 'value'; result: Address } }> = []
    leaves.forEach((leaf, at) => {
      if (leaf >= 0) covered.push({ at, leaf, key: pack.keys[at]!, outcome: { kind: 'value', result: pack.results[at]! } })
    })
    if (covered.length === 0) return NOTHING
    const hashOf = (i: number): Uint8Array => {
      const { at, key, outcome } = covered[i]!
      return (hashes[at] ??= outcomeLeafHash(key, outcome))
    }
    const signed = verifyPackedOutcomes(peer, sig, size, covered, nodes, hashOf)
    if (signed === undefined) return NOTHING
    covered.forEach(({ at }, i) => proofs[at]!.push({ peer, ...signed[i]! }))
  }
  const entries = new Map<TaskKey, ValueEntry>()
  for (let at = 0; at < pack.keys.length; at++) {
    const signers = proofs[at]!
    if (signers.length === 0 || signers.length > MAX_QUORUM || new Set(signers.map((p) => p.peer)).size !== signers.length) return NOTHING
    if (entries.has(pack.keys[at]!)) return NOTHING
    entries.set(pack.keys[at]!, { kind: 'value', result: pack.results[at]!, proofs: signers })
  }
  entries.forEach((entry, key) => vouchForCacheEntry(key, entry))
  return entries
}

/**
 * A pack of value entries whose proofs this process has checked (they come
 * from entries it read through `checkCacheEntry`, or signed itself), or
 * undefined when they cannot be packed (a key twice, two entries on one leaf
 * of a batch, a malformed path). The pack reads back as exactly these entries
 * without a second check.
 */
export function makePack(items: ReadonlyArray<{ readonly key: TaskKey; readonly entry: ValueEntry }>): CachePack | undefined {
  if (items.length === 0 || items.length > MAX_PACK_ENTRIES || new Set(items.map((item) => item.key)).size !== items.length) return undefined
  const batches = new Map<string, { peer: PeerId; proofs: OutcomeProof[]; leaves: number[] }>()
  items.forEach(({ entry }, at) => {
    for (const proof of entry.proofs) {
      const id = `${proof.peer} ${proof.sig} ${proof.size}`
      let batch = batches.get(id)
      if (batch === undefined) batches.set(id, (batch = { peer: proof.peer, proofs: [], leaves: items.map(() => -1) }))
      batch.proofs.push(proof)
      batch.leaves[at] = proof.leaf
    }
  })
  if (batches.size > MAX_PACK_SIGNERS) return undefined
  const signers: PackSigner[] = []
  for (const { peer, proofs, leaves } of batches.values()) {
    if (new Set(proofs.map((proof) => proof.leaf)).size !== proofs.length) return undefined
    const nodes = packedNodes(proofs)
    if (nodes === undefined) return undefined
    signers.push({ peer, sig: proofs[0]!.sig, size: proofs[0]!.size, leaves, nodes })
  }
  const pack: CachePack = { keys: items.map((item) => item.key), results: items.map((item) => item.entry.result), signers }
  expanded.set(pack, new Map(items.map(({ key, entry }) => [key, entry])))
  return pack
}
