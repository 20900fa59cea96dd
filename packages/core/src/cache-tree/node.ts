import { addressOfBytes, verifyBytes } from '../address.ts'
import { decodeCanonical, encodeCanonicalTrusted } from '../encoding/canonical.ts'
import { TesseraError } from '../errors.ts'
import type { Address, TaskKey } from '../ids.ts'

/**
 * The nodes of the cache tree, as stored values: deterministic CBOR, addressed
 * by the hash of their bytes like every other value (so a node travels, is
 * verified and is kept like a blob). A leaf lists entries sorted by task key;
 * a branch lists its children, each with the key range it covers, how many
 * entries lie under it and, for a leaf child, a Bloom filter of its keys.
 */
export const TREE_NODE_VERSION = 1

/** One cached result as a leaf keeps it: the entry with its proofs, and the value's bytes when small. */
export interface TreeEntry {
  readonly key: TaskKey
  /** A cache entry as the document held it; readers check it (`checkCacheEntry`) like any other. */
  readonly entry: unknown
  /** The result value's canonical bytes, when the document listed it inline. */
  readonly inline?: Uint8Array
}

export interface ChildRef {
  readonly first: TaskKey
  readonly last: TaskKey
  readonly address: Address
  readonly count: number
  /** Present on a level-1 node's children (leaves) only. */
  readonly bloom?: Uint8Array
}

export interface LeafNode {
  readonly kind: 'leaf'
  readonly level: 0
  readonly entries: readonly TreeEntry[]
}

export interface BranchNode {
  readonly kind: 'branch'
  readonly level: number
  readonly children: readonly ChildRef[]
}

export type TreeNode = LeafNode | BranchNode

export function isLeaf(node: TreeNode): node is LeafNode {
  return node.kind === 'leaf'
}

/** A node whose bytes do not match their address, or that is not a well-formed node. */
export class TreeNodeError extends TesseraError {
  override name = 'TreeNodeError'
}

/** Upper bounds that keep a hostile node from costing more than an honest one could. */
const MAX_LEVEL = 16
const MAX_ITEMS = 1 << 16

export function encodeNode(node: TreeNode): { address: Address; bytes: Uint8Array } {
  const body = isLeaf(node)
    ? { v: TREE_NODE_VERSION, level: 0, entries: node.entries.map((e) => (e.inline === undefined ? [e.key, e.entry] : [e.key, e.entry, e.inline])) }
    : { v: TREE_NODE_VERSION, level: node.level, children: node.children.map((c) => (c.bloom === undefined ? [c.first, c.last, c.address, c.count] : [c.first, c.last, c.address, c.count, c.bloom])) }
  // Entries come from checked records (or checked nodes), so the encoder's own walk is skipped.
  const bytes = encodeCanonicalTrusted(body)
  return { address: addressOfBytes(bytes), bytes }
}

/**
 * The node stored under `address`: its bytes are checked against the address
 * first (a holder that sends other bytes is caught here), then its shape and
 * its order. Throws `TreeNodeError`.
 */
export function decodeNode(address: Address, bytes: Uint8Array): TreeNode {
  try {
    verifyBytes(address, bytes)
  } catch {
    throw new TreeNodeError(`cache tree node ${address}: bytes do not match the address`)
  }
  let body: unknown
  try {
    body = decodeCanonical(bytes)
  } catch {
    throw new TreeNodeError(`cache tree node ${address}: not canonical CBOR`)
  }
  const node = shapeOf(body)
  if (node === undefined) throw new TreeNodeError(`cache tree node ${address}: malformed`)
  return node
}

function shapeOf(body: unknown): TreeNode | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const { v, level, entries, children } = body as Record<string, unknown>
  if (v !== TREE_NODE_VERSION || typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > MAX_LEVEL) return undefined
  if (level === 0) {
    if (children !== undefined || !Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ITEMS) return undefined
    const out: TreeEntry[] = []
    for (const item of entries) {
      if (!Array.isArray(item) || item.length < 2 || item.length > 3 || typeof item[0] !== 'string') return undefined
      if (item.length === 3 && !(item[2] instanceof Uint8Array)) return undefined
      const previous = out.at(-1)
      if (previous !== undefined && !(previous.key < item[0])) return undefined
      out.push(item.length === 3 ? { key: item[0] as TaskKey, entry: item[1], inline: item[2] as Uint8Array } : { key: item[0] as TaskKey, entry: item[1] })
    }
    return { kind: 'leaf', level: 0, entries: out }
  }
  if (entries !== undefined || !Array.isArray(children) || children.length === 0 || children.length > MAX_ITEMS) return undefined
  const out: ChildRef[] = []
  for (const item of children) {
    if (!Array.isArray(item) || item.length < 4 || item.length > 5) return undefined
    const [first, last, address, count, bloom] = item as unknown[]
    if (typeof first !== 'string' || typeof last !== 'string' || typeof address !== 'string' || !(first <= last)) return undefined
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) return undefined
    if (bloom !== undefined && !(bloom instanceof Uint8Array && level === 1)) return undefined
    const previous = out.at(-1)
    if (previous !== undefined && !(previous.last < first)) return undefined
    out.push({ first: first as TaskKey, last: last as TaskKey, address: address as Address, count, ...(bloom === undefined ? {} : { bloom }) })
  }
  return { kind: 'branch', level, children: out }
}
