import { decode, encode } from 'cborg'
import { ProtocolError } from '../errors.ts'
import type { PeerId } from '../ids.ts'
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
export function encodeMessageParts(message: ReplicationMessage): Uint8Array[] {
  if ((message.type !== 'sync-reply' && message.type !== 'update') || message.update.byteLength < PARTS_FROM_BYTES) return [encode(message)]
  const shell = encode({ ...message, update: NO_BYTES })
  const length = message.update.byteLength
  const lengthBytes = length < 0x10000 ? 2 : 4
  const head = new Uint8Array(shell.byteLength + lengthBytes)
  head.set(shell.subarray(0, shell.byteLength - 1))
  const at = shell.byteLength - 1
  // Major type 2 (bytes) with a 2- or 4-byte length: 0x59 or 0x5a.
  head[at] = lengthBytes === 2 ? 0x59 : 0x5a
  const view = new DataView(head.buffer)
  if (lengthBytes === 2) view.setUint16(at + 1, length)
  else view.setUint32(at + 1, length)
  return [head, message.update]
}

/** Throws `ProtocolError` for anything that is not a well-formed message. */
export function decodeMessage(bytes: Uint8Array): ReplicationMessage {
  let raw: unknown
  try {
    raw = decode(bytes)
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

function decodeLinks(peers: unknown): ReplicationMessage {
  if (!Array.isArray(peers) || peers.length > MAX_LISTED_LINKS || !peers.every((p) => typeof p === 'string' && p.length > 0 && p.length <= 64)) {
    throw new ProtocolError(`links message without a list of at most ${MAX_LISTED_LINKS} peer ids`)
  }
  return { type: 'links', peers: peers as PeerId[] }
}
