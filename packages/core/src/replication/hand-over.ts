import type { PeerId } from '../ids.ts'
import type { Transport } from '../interfaces/transport.ts'

/**
 * Sends an encoded message, in parts, that nobody changes afterwards: a
 * transport that can frame them where they lie (`sendOwned`) does not copy
 * or join them first, which matters for a sync reply's megabyte pieces.
 */
export function handOver(transport: Transport, peer: PeerId, parts: readonly Uint8Array[]): boolean {
  return transport.sendOwned === undefined ? transport.send(peer, joined(parts)) : transport.sendOwned(peer, parts)
}

/** The parts as one array (the only part itself, when there is one). */
export function joined(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    bytes.set(part, offset)
    offset += part.byteLength
  }
  return bytes
}
