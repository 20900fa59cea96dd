import { decode, encode } from 'cborg'
import { ProtocolError } from '@tessera/core'

/** The blob channel's wire messages. `id` pairs a reply with its request. */
export type BlobMessage =
  | { readonly type: 'get'; readonly id: number; readonly address: string }
  | { readonly type: 'blob'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly type: 'missing'; readonly id: number }

/**
 * A reply carrying bytes is not CBOR but a fixed header before the bytes as
 * they are: `[BLOB_REPLY][7 zero bytes][id as float64]`. The sender frames the
 * blob from where it lies and the receiver takes it as a view of what it
 * reassembled, so a megabyte is not copied twice more on each side (encoding
 * and decoding it as a CBOR byte string). The tag is not the first byte of any
 * CBOR map, so the two forms cannot be confused. 16 bytes keep the blob 8-byte
 * aligned in the reassembled message.
 */
const BLOB_REPLY = 0x01
const BLOB_HEADER_BYTES = 16

/** A small message (`get`, `missing`) as one array; a `blob` reply as its header and its bytes, which are not copied. */
export function encodeBlobMessage(message: BlobMessage): Uint8Array[] {
  if (message.type !== 'blob') return [encode(message)]
  const header = new Uint8Array(BLOB_HEADER_BYTES)
  header[0] = BLOB_REPLY
  new DataView(header.buffer).setFloat64(8, message.id)
  return [header, message.bytes]
}

/** A `blob` reply's bytes are a view into `bytes`, not a copy. */
export function decodeBlobMessage(bytes: Uint8Array): BlobMessage {
  if (bytes[0] === BLOB_REPLY) {
    if (bytes.byteLength < BLOB_HEADER_BYTES) throw new ProtocolError(`a blob reply of ${bytes.byteLength} bytes is shorter than its header`)
    const id = new DataView(bytes.buffer, bytes.byteOffset, BLOB_HEADER_BYTES).getFloat64(8)
    if (!Number.isSafeInteger(id)) throw new ProtocolError('blob reply without an id')
    return { type: 'blob', id, bytes: bytes.subarray(BLOB_HEADER_BYTES) }
  }
  let raw: unknown
  try {
    raw = decode(bytes)
  } catch (error) {
    throw new ProtocolError(`undecodable blob message: ${(error as Error).message}`)
  }
  const m = raw as Record<string, unknown> | null
  if (typeof m !== 'object' || m === null || !Number.isSafeInteger(m.id)) throw new ProtocolError('blob message without an id')
  const id = m.id as number
  if (m.type === 'get' && typeof m.address === 'string' && m.address.length <= 128) return { type: 'get', id, address: m.address }
  // The CBOR form of a reply with bytes, as peers before the binary header sent it.
  if (m.type === 'blob' && m.bytes instanceof Uint8Array) return { type: 'blob', id, bytes: m.bytes }
  if (m.type === 'missing') return { type: 'missing', id }
  throw new ProtocolError(`malformed blob message of type ${JSON.stringify(m.type)}`)
}
