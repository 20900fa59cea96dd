import { decode, encode } from 'cborg'
import { ProtocolError } from '../errors.ts'

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

const TYPES = new Set<ReplicationMessage['type']>(['sync-request', 'repair-request', 'sync-reply', 'sync-unknown', 'update'])

export function encodeMessage(message: ReplicationMessage): Uint8Array {
  return encode(message)
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
  if (typeof doc !== 'string' || doc.length === 0 || doc.length > 256) throw new ProtocolError('replication message without a valid doc')
  if (type === 'sync-unknown') return { type, doc }
  const field = type === 'sync-request' ? 'stateVector' : type === 'repair-request' ? 'wanted' : 'update'
  const body = (raw as Record<string, unknown>)[field]
  if (!(body instanceof Uint8Array)) throw new ProtocolError(`${type} message without its bytes`)
  const { more } = raw as Record<string, unknown>
  if (more !== undefined && (type !== 'sync-reply' || more !== true)) throw new ProtocolError(`${type} message with a bad "more" field`)
  return raw as ReplicationMessage
}
