import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'

/**
 * From this size on, a binary value is a part of its own instead of being
 * copied into an encoder. Each copy of a megabyte into fresh memory cost
 * 4–10 ms here (page faults), and a late joiner's 50 MB document went through
 * four of them on the sender before reaching the wire.
 */
export const OWN_PART_BYTES = 16 * 1024

/**
 * Writes bytes as a list of parts that, joined, are the encoding: small
 * writes go into an encoder, large byte arrays are kept as they are. The
 * caller must not change a kept array until the parts are sent.
 */
export class PartsWriter {
  #encoder = encoding.createEncoder()
  readonly #parts: Uint8Array[] = []

  writeVarUint(value: number): void {
    encoding.writeVarUint(this.#encoder, value)
  }

  append(parts: readonly Uint8Array[]): void {
    for (const part of parts) {
      if (part.byteLength < OWN_PART_BYTES) encoding.writeUint8Array(this.#encoder, part)
      else {
        this.#flush()
        this.#parts.push(part)
      }
    }
  }

  finish(): Uint8Array[] {
    this.#flush()
    return this.#parts
  }

  #flush(): void {
    if (encoding.length(this.#encoder) === 0) return
    this.#parts.push(encoding.toUint8Array(this.#encoder))
    this.#encoder = encoding.createEncoder()
  }
}

/**
 * Yjs's v1 update encoder, except that a large binary value (`ContentBinary`,
 * which Yjs never changes once made) is kept as a part of its own rather than
 * copied: `parts()` joined is what `toUint8Array()` would have returned.
 */
export class PartsEncoderV1 extends Y.UpdateEncoderV1 {
  readonly #parts: Uint8Array[] = []

  override writeBuf(buf: Uint8Array): void {
    if (buf.byteLength < OWN_PART_BYTES) return super.writeBuf(buf)
    encoding.writeVarUint(this.restEncoder, buf.byteLength)
    this.#parts.push(encoding.toUint8Array(this.restEncoder), buf)
    this.restEncoder = encoding.createEncoder()
  }

  parts(): Uint8Array[] {
    const rest = encoding.toUint8Array(this.restEncoder)
    return rest.byteLength === 0 ? this.#parts : [...this.#parts, rest]
  }
}
