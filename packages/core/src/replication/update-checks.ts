import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import { ProtocolError, SizeLimitError } from '../errors.ts'
import type { ReplicationLimits } from './limits.ts'

/**
 * Refuses an update before it touches a document: over the size cap (unless it
 * is a single struct, the one thing that cannot be cut into pieces), or not
 * decodable as Yjs structs. Decoding without integrating costs a fraction of
 * applying, and keeps truncated or random bytes away from the document.
 */
export function checkUpdate(update: Uint8Array, limits: ReplicationLimits): void {
  if (update.byteLength > limits.maxUpdateBytes) {
    if (update.byteLength > limits.maxStructBytes) {
      throw new SizeLimitError(`an update of ${update.byteLength} bytes exceeds ${limits.maxStructBytes}`)
    }
    if (!isSingleStruct(update)) {
      throw new SizeLimitError(`an update of ${update.byteLength} bytes holds more than one struct; the limit is ${limits.maxUpdateBytes} bytes`)
    }
  }
  try {
    Y.parseUpdateMeta(update)
  } catch (error) {
    throw new ProtocolError(`undecodable update: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function isSingleStruct(update: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(update)
    return decoding.readVarUint(decoder) === 1 && decoding.readVarUint(decoder) === 1
  } catch {
    return false
  }
}
