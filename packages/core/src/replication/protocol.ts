import { decode, encode } from 'cborg'
import { ProtocolError } from '../errors.ts'
import type { PeerId } from '../ids.ts'
import { joined } from './hand-over.ts'
import { MAX_LISTED_LINKS } from './neighbour-links.ts'

/**
 * Every message peers exchange to replicate documents. `doc` is the document's
 * guid, so one set of connections carries any number of documents.
 */
export type ReplicationMessage =
  /** "Here is what I have": the receiver answers with what the sender lacks. */
  | { readonly type: 'sync-request'; readonly doc: string; readonly stateVector: Uint8Array }
  /**
   * "I lack these clients' changes from these clocks on": sent when updates are
   * parked for a missing predecessor, so the reply carries only what was lost.
   */
  | { readonly type: 'repair-request'; readonly doc: string; readonly wanted: Uint8Array }
  /** One piece of the answer; `more` says further pieces follow (a large reply is cut into many). */
  | { readonly type: 'sync-reply'; readonly doc: string; readonly update: Uint8Array; readonly more?: true }
  /** "I do not hold that document": the asker tries another peer. */
  | { readonly type: 'sync-unknown'; readonly doc: string }
  /** A change made or learned since: applied, and passed on when gossiping. */
  | { readonly type: 'update'; readonly doc: string; readonly update: Uint8Array }
  /** "I am linked to these peers now": sent to each neighbour when links change (`neighbour-links.ts`). */
  | { readonly type: 'links'; readonly peers: readonly PeerId[] }

/** The messages about one document. */
export type DocMessage = Exclude<ReplicationMessage, { readonly type: 'links' }>

/**
 * A message on its way out. An update may still be in parts (`UpdatePieces`
 * leaves a large binary value where the document holds it), which are framed
 * one after another and never joined: on the wire it is the same message.
 */
export type OutgoingMessage =
  | Exclude<ReplicationMessage, { readonly type: 'sync-reply' | 'update' }>
  | { readonly type: 'sync-reply'; readonly doc: string; readonly update: UpdateBytes; readonly more?: true }
  | { readonly type: 'update'; readonly doc: string; readonly update: UpdateBytes }

/** An update as one array, or as parts that joined make one. */
export type UpdateBytes = Uint8Array | readonly Uint8Array[]

const TYPES = new Set<ReplicationMessage['type']>(['sync-request', 'repair-request', 'sync-reply', 'sync-unknown', 'update', 'links'])

export function encodeMessage(message: ReplicationMessage): Uint8Array {
  return encode(message)
}

/** Below this, one copy of the update costs less than a message in two parts. */
const PARTS_FROM_BYTES = 4096
const NO_BYTES = new Uint8Array(0)

/**
 * The same bytes as `encodeMessage`, as parts to hand to a transport: an
 * update (a sync reply's piece can be a megabyte) is not copied into the CBOR.
 * In canonical CBOR a map's keys go by length, so `update` is the last field:
 * the message is everything CBOR puts before an empty byte string, that
 * string's header for the real length, then the update itself.
 */
export function encodeMessageParts(message: OutgoingMessage): Uint8Array[] {
  if (message.type !== 'sync-reply' && message.type !== 'update') return [encode(message)]
  const update = message.update
  const length = update instanceof Uint8Array ? update.byteLength : update.reduce((sum, part) => sum + part.byteLength, 0)
  if (length < PARTS_FROM_BYTES) return [encode({ ...message, update: update instanceof Uint8Array ? update : joined(update) })]
  const shell = encode({ ...message, update: NO_BYTES })
  const lengthBytes = length < 0x10000 ? 2 : 4
  const head = new Uint8Array(shell.byteLength + lengthBytes)
  head.set(shell.subarray(0, shell.byteLength - 1))
  const at = shell.byteLength - 1
  // Major type 2 (bytes) with a 2- or 4-byte length: 0x59 or 0x5a.
  head[at] = lengthBytes === 2 ? 0x59 : 0x5a
  const view = new DataView(head.buffer)
  if (lengthBytes === 2) view.setUint16(at + 1, length)
  else view.setUint32(at + 1, length)
  return update instanceof Uint8Array ? [head, update] : [head, ...update]
}

/** Throws `ProtocolError` for anything that is not a well-formed message. */
export function decodeMessage(bytes: Uint8Array): ReplicationMessage {
  let raw: unknown
  try {
    raw = decodeUpdateInPlace(bytes) ?? decode(bytes)
  } catch (error) {
    throw new ProtocolError(`undecodable replication message: ${(error as Error).message}`)
  }
  if (typeof raw !== 'object' || raw === null) throw new ProtocolError('replication message is not a map')
  const { type, doc } = raw as Record<string, unknown>
  if (typeof type !== 'string' || !TYPES.has(type as ReplicationMessage['type'])) {
    throw new ProtocolError(`unknown replication message type ${JSON.stringify(type)}`)
  }
  if (type === 'links') return decodeLinks((raw as Record<string, unknown>).peers)
  if (typeof doc !== 'string' || doc.length === 0 || doc.length > 256) throw new ProtocolError('replication message without a valid doc')
  if (type === 'sync-unknown') return { type, doc }
  const field = type === 'sync-request' ? 'stateVector' : type === 'repair-request' ? 'wanted' : 'update'
  const body = (raw as Record<string, unknown>)[field]
  if (!(body instanceof Uint8Array)) throw new ProtocolError(`${type} message without its bytes`)
  const { more } = raw as Record<string, unknown>
  if (more !== undefined && (type !== 'sync-reply' || more !== true)) throw new ProtocolError(`${type} message with a bad "more" field`)
  return raw as ReplicationMessage
}

/** The CBOR of the key "update" (a text string of 6 bytes). */
const UPDATE_KEY = Uint8Array.of(0x66, 0x75, 0x70, 0x64, 0x61, 0x74, 0x65)
/** Where the update's byte string can start at most: the doc's 256 characters (up to 4 bytes each) and the short fields. */
const MAX_HEAD_BYTES = 1_100

/**
 * An update or sync reply as `encodeMessageParts` writes it (the update's
 * byte string last, at the end of the message), with the update as a view
 * into `bytes`: cborg copies every byte string it decodes, and a late-joining
 * tab spent as long copying its 50 MB there as receiving them.
 * Undefined when the message is not in that shape: cborg then decodes it whole.
 */
function decodeUpdateInPlace(bytes: Uint8Array): unknown {
  if (bytes.byteLength < PARTS_FROM_BYTES) return undefined
  const end = Math.min(MAX_HEAD_BYTES, bytes.byteLength - 3)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let at = UPDATE_KEY.length + 1; at <= end; at++) {
    const marker = bytes[at]
    if (marker !== 0x59 && marker !== 0x5a) continue
    const lengthBytes = marker === 0x59 ? 2 : 4
    const length = lengthBytes === 2 ? view.getUint16(at + 1) : at + 5 <= bytes.byteLength ? view.getUint32(at + 1) : -1
    if (at + 1 + lengthBytes + length !== bytes.byteLength || !UPDATE_KEY.every((byte, i) => bytes[at - UPDATE_KEY.length + i] === byte)) continue
    // The head with an empty byte string in the update's place: the same map with a shorter last value.
    const head = new Uint8Array(at + 1)
    head.set(bytes.subarray(0, at))
    head[at] = 0x40
    let shell: unknown
    try {
      shell = decode(head)
    } catch {
      return undefined
    }
    if (typeof shell !== 'object' || shell === null || !((shell as { update?: unknown }).update instanceof Uint8Array)) return undefined
    const type = (shell as { type?: unknown }).type
    if ((type !== 'update' && type !== 'sync-reply') || Object.keys(shell).some((key) => !HEAD_FIELDS.has(key))) return undefined
    return { ...shell, update: bytes.subarray(at + 1 + lengthBytes) }
  }
  return undefined
}
const HEAD_FIELDS = new Set(['type', 'doc', 'update', 'more'])

function decodeLinks(peers: unknown): ReplicationMessage {
  if (!Array.isArray(peers) || peers.length > MAX_LISTED_LINKS || !peers.every((p) => typeof p === 'string' && p.length > 0 && p.length <= 64)) {
    throw new ProtocolError(`links message without a list of at most ${MAX_LISTED_LINKS} peer ids`)
  }
  return { type: 'links', peers: peers as PeerId[] }
}
