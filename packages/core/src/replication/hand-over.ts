import type { PeerId } from '../ids.ts'
import type { Transport } from '../interfaces/transport.ts'

/**
 * Sends an encoded message that nobody changes afterwards: a transport that
 * can frame it where it lies (`sendOwned`) does not copy it first, which
 * matters for a sync reply's megabyte pieces.
 */
export function handOver(transport: Transport, peer: PeerId, bytes: Uint8Array): boolean {
  return transport.sendOwned === undefined ? transport.send(peer, bytes) : transport.sendOwned(peer, [bytes])
}
