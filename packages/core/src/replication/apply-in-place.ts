import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import { OWN_PART_BYTES } from './update-parts.ts'

/**
 * Yjs's v1 decoder, except that a binary value of `OWN_PART_BYTES` or more
 * stays a view into the update instead of being copied out of it (Yjs never
 * changes a binary value once made). Smaller ones are copied as Yjs does, so
 * a small value never holds a whole message in memory; a large one holds at
 * most a piece of 64 KiB beside itself.
 */
class InPlaceDecoderV1 extends Y.UpdateDecoderV1 {
  override readBuf(): Uint8Array {
    const view = decoding.readVarUint8Array(this.restDecoder)
    return view.byteLength >= OWN_PART_BYTES ? view : view.slice()
  }
}

/**
 * `Y.applyUpdate`, keeping large binary values where they arrived: a tab
 * joining late copied each megabyte value out of its message at about
 * 11 ms per MB. The caller hands `update` over: nothing may change its bytes
 * afterwards (a message received from a peer, whose buffer is its own).
 */
export function applyInPlace(doc: Y.Doc, update: Uint8Array, origin: unknown): void {
  Y.applyUpdateV2(doc, update, origin, InPlaceDecoderV1)
}
