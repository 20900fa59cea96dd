import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import { ProtocolError, SizeLimitError } from '../errors.ts'
import type { ReplicationLimits } from './limits.ts'

/**
 * Refuses an update before it touches a document: over the size cap (unless it
 * is one binary or string value, which cannot be cut into pieces), or not
 * decodable as Yjs structs. Decoding without integrating costs a fraction of
 * applying, and keeps truncated or random bytes away from the document.
 */
export function checkUpdate(update: Uint8Array, limits: ReplicationLimits): void {
  if (update.byteLength > limits.maxUpdateBytes) {
    if (update.byteLength > limits.maxStructBytes) {
      throw new SizeLimitError(`an update of ${update.byteLength} bytes exceeds ${limits.maxStructBytes}`)
    }
    if (!isSingleValue(update)) {
      throw new SizeLimitError(`an update of ${update.byteLength} bytes is not one binary or string value; the limit is ${limits.maxUpdateBytes} bytes`)
    }
  }
  try {
    updateMeta(update)
  } catch (error) {
    throw new ProtocolError(`undecodable update: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/**
 * Yjs's v1 decoder, except that it reads a binary value as a view into the
 * update: Yjs copies each one when it decodes (it keeps them), which a check
 * that lets go of the structs need not pay. A late joiner's 50 MB document
 * was copied here once more before it was applied.
 */
class ViewDecoderV1 extends Y.UpdateDecoderV1 {
  override readBuf(): Uint8Array {
    return decoding.readVarUint8Array(this.restDecoder)
  }
}

/** `Y.parseUpdateMeta` (which decodes every struct), without copying binary values. */
export function updateMeta(update: Uint8Array): { from: Map<number, number>; to: Map<number, number> } {
  return Y.parseUpdateMetaV2(update, ViewDecoderV1)
}

/** Yjs content kinds whose cost to apply is a copy: binary (3) and string (4). */
const CHEAP_CONTENT = new Set([3, 4])

/** One client, one struct, holding bytes or a string (not, say, a million-element array). */
function isSingleValue(update: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(update)
    if (decoding.readVarUint(decoder) !== 1 || decoding.readVarUint(decoder) !== 1) return false
    decoding.readVarUint(decoder) // client
    decoding.readVarUint(decoder) // clock
    return CHEAP_CONTENT.has(decoding.readUint8(decoder) & 0b11111)
  } catch {
    return false
  }
}
