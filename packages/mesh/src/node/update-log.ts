import { crc32 } from 'node:zlib'
import { copyBytes } from '@tessera/core'

/**
 * The on-disk form of a document's updates: records of
 * `[length u32 LE][crc32 u32 LE][update bytes]`, appended one after another.
 * The checksum covers the length too, so a tail of zeros (what some file
 * systems leave after a power cut) is not mistaken for empty records.
 */
const HEADER_BYTES = 8

/** The records for `updates`, in one buffer so an append is one write. Copies the bytes. */
export function encodeRecords(updates: readonly Uint8Array[]): Uint8Array {
  let total = 0
  for (const update of updates) total += HEADER_BYTES + update.byteLength
  const out = new Uint8Array(total)
  const view = new DataView(out.buffer)
  let offset = 0
  for (const update of updates) {
    view.setUint32(offset, update.byteLength, true)
    view.setUint32(offset + 4, checksum(out.subarray(offset, offset + 4), update), true)
    out.set(update, offset + HEADER_BYTES)
    offset += HEADER_BYTES + update.byteLength
  }
  return out
}

export interface DecodedLog {
  readonly records: Uint8Array[]
  /** Where the last whole record ends; anything after it is a torn write. */
  readonly validBytes: number
}

/** The whole records at the start of `bytes`; stops at the first truncated or damaged one. */
export function decodeRecords(bytes: Uint8Array): DecodedLog {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const records: Uint8Array[] = []
  let offset = 0
  while (offset + HEADER_BYTES <= bytes.byteLength) {
    const length = view.getUint32(offset, true)
    const end = offset + HEADER_BYTES + length
    if (end > bytes.byteLength) break
    const payload = bytes.subarray(offset + HEADER_BYTES, end)
    if (view.getUint32(offset + 4, true) !== checksum(bytes.subarray(offset, offset + 4), payload)) break
    records.push(copyBytes(payload))
    offset = end
  }
  return { records, validBytes: offset }
}

function checksum(lengthBytes: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(lengthBytes)) >>> 0
}
