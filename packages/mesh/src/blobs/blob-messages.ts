import { decode, encode } from 'cborg'
import { ProtocolError } from '@tessera/core'

/** The blob channel's wire messages. `id` pairs a reply with its request. */
export type BlobMessage =
  | { readonly type: 'get'; readonly id: number; readonly address: string }
  | { readonly type: 'blob'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly type: 'missing'; readonly id: number }

export function encodeBlobMessage(message: BlobMessage): Uint8Array {
  return encode(message)
}

export function decodeBlobMessage(bytes: Uint8Array): BlobMessage {
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
  if (m.type === 'blob' && m.bytes instanceof Uint8Array) return { type: 'blob', id, bytes: m.bytes }
  if (m.type === 'missing') return { type: 'missing', id }
  throw new ProtocolError(`malformed blob message of type ${JSON.stringify(m.type)}`)
}
