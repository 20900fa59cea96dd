import { ProtocolError, SizeLimitError } from '@tessera/core'

/**
 * What goes into one data-channel message. A data channel refuses messages over
 * 256 KiB (Chromium throws, @roamhq/wrtc silently closes the channel), so every
 * message is a frame of at most `MAX_FRAME_BYTES`, and larger messages are cut
 * into chunk frames that the receiver puts back together.
 *
 *   whole  [0][channel][payload]
 *   chunk  [1][channel][message id u32][index u32][count u32][total bytes u32][payload]
 *   ping   [2]            keeps an idle link provably alive
 *   bye    [3]            the peer is leaving on purpose: drop the link now
 */
export const MAX_FRAME_BYTES = 64 * 1024
export const WHOLE = 0
export const CHUNK = 1
export const PING = 2
export const BYE = 3
const WHOLE_HEADER = 2
const CHUNK_HEADER = 18

export type Channel = number

export function wholeFrame(channel: Channel, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(WHOLE_HEADER + payload.byteLength)
  frame[0] = WHOLE
  frame[1] = channel
  frame.set(payload, WHOLE_HEADER)
  return frame
}

export const pingFrame = (): Uint8Array<ArrayBuffer> => Uint8Array.of(PING)
export const byeFrame = (): Uint8Array<ArrayBuffer> => Uint8Array.of(BYE)

/**
 * Cuts one message into frames lazily, so a 50 MB message is never held twice.
 * The message may come as parts (a header and a blob), read in order as if they
 * were one array, so that nobody has to concatenate them first.
 */
export class ChunkCursor {
  readonly #count: number
  readonly #parts: readonly Uint8Array[]
  readonly #total: number
  #index = 0
  #part = 0
  #offset = 0

  constructor(
    readonly channel: Channel,
    readonly id: number,
    message: Uint8Array | readonly Uint8Array[],
    private readonly frameBytes: number = MAX_FRAME_BYTES,
  ) {
    this.#parts = message instanceof Uint8Array ? [message] : message
    this.#total = this.#parts.reduce((sum, part) => sum + part.byteLength, 0)
    this.#count = Math.max(1, Math.ceil(this.#total / (frameBytes - CHUNK_HEADER)))
  }

  get done(): boolean {
    return this.#index >= this.#count
  }

  /**
   * The next frame: in `scratch` when given (at least `frameBytes` long, and
   * free again once the frame is handed to a data channel, whose `send` copies),
   * so that a long message does not allocate a buffer per frame.
   */
  next(scratch?: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> | undefined {
    if (this.done) return undefined
    const room = this.frameBytes - CHUNK_HEADER
    const length = Math.min(room, this.#total - this.#index * room)
    const frame = scratch === undefined ? new Uint8Array(CHUNK_HEADER + length) : scratch.subarray(0, CHUNK_HEADER + length)
    const view = new DataView(frame.buffer, frame.byteOffset, CHUNK_HEADER)
    frame[0] = CHUNK
    frame[1] = this.channel
    view.setUint32(2, this.id)
    view.setUint32(6, this.#index)
    view.setUint32(10, this.#count)
    view.setUint32(14, this.#total)
    for (let filled = 0; filled < length; ) {
      const part = this.#parts[this.#part] as Uint8Array
      const take = Math.min(length - filled, part.byteLength - this.#offset)
      frame.set(part.subarray(this.#offset, this.#offset + take), CHUNK_HEADER + filled)
      filled += take
      this.#offset += take
      if (this.#offset === part.byteLength) {
        this.#part++
        this.#offset = 0
      }
    }
    this.#index++
    return frame
  }
}

/** Whether a message fits one whole frame. */
export const fitsOneFrame = (payload: Uint8Array, frameBytes = MAX_FRAME_BYTES): boolean =>
  payload.byteLength + WHOLE_HEADER <= frameBytes

export interface ReassemblerLimits {
  /** A message announcing more than this is refused at its first chunk, before any allocation. */
  readonly maxMessageBytes: number
  /** Messages being reassembled at once on one link. */
  readonly maxPartialMessages: number
  /** Tighter caps for some channels (documents travel in small pieces; only blobs are large). */
  readonly maxChannelMessageBytes?: Readonly<Record<Channel, number>>
}

export type Decoded =
  | { readonly kind: 'message'; readonly channel: Channel; readonly payload: Uint8Array }
  | { readonly kind: 'ping' }
  | { readonly kind: 'bye' }
  | { readonly kind: 'partial' }

interface Partial {
  readonly channel: Channel
  readonly count: number
  readonly buffer: Uint8Array
  next: number
  filled: number
}

/**
 * Puts chunked messages back together. A data channel is ordered and reliable,
 * so the chunks of one message arrive in order; anything else is a broken or
 * hostile peer, and `accept` throws `ProtocolError` (or `SizeLimitError`).
 */
export class Reassembler {
  readonly #partial = new Map<number, Partial>()

  constructor(private readonly limits: ReassemblerLimits) {}

  accept(frame: Uint8Array): Decoded {
    const kind = frame[0]
    if (kind === PING && frame.byteLength === 1) return { kind: 'ping' }
    if (kind === BYE && frame.byteLength === 1) return { kind: 'bye' }
    if (frame.byteLength > MAX_FRAME_BYTES) throw new ProtocolError(`frame of ${frame.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`)
    if (kind === WHOLE && frame.byteLength >= WHOLE_HEADER) {
      return { kind: 'message', channel: frame[1] as number, payload: frame.subarray(WHOLE_HEADER) }
    }
    if (kind !== CHUNK || frame.byteLength < CHUNK_HEADER) throw new ProtocolError(`malformed frame (kind ${String(kind)}, ${frame.byteLength} bytes)`)
    return this.#chunk(frame)
  }

  get pendingBytes(): number {
    let bytes = 0
    for (const p of this.#partial.values()) bytes += p.buffer.byteLength
    return bytes
  }

  #chunk(frame: Uint8Array): Decoded {
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
    const id = view.getUint32(2)
    const index = view.getUint32(6)
    const count = view.getUint32(10)
    const total = view.getUint32(14)
    const payload = frame.subarray(CHUNK_HEADER)
    let partial = this.#partial.get(id)
    if (partial === undefined) {
      if (index !== 0) throw new ProtocolError(`chunk ${index} of message ${id} arrived before its first chunk`)
      const limit = Math.min(this.limits.maxMessageBytes, this.limits.maxChannelMessageBytes?.[frame[1] as number] ?? Number.POSITIVE_INFINITY)
      if (total > limit) {
        throw new SizeLimitError(`a peer announced a ${total}-byte message; the limit is ${limit} bytes on channel ${frame[1] as number}`)
      }
      // Every chunk carries at least one byte (but an empty message has one chunk).
      if (count === 0 || count > Math.max(1, total) || total > count * (MAX_FRAME_BYTES - CHUNK_HEADER)) {
        throw new ProtocolError(`message ${id} announces ${count} chunks for ${total} bytes`)
      }
      if (this.#partial.size >= this.limits.maxPartialMessages) throw new ProtocolError('too many messages in reassembly at once')
      partial = { channel: frame[1] as number, count, buffer: new Uint8Array(total), next: 0, filled: 0 }
      this.#partial.set(id, partial)
    }
    const offset = partial.filled
    if (index !== partial.next || count !== partial.count || total !== partial.buffer.byteLength) {
      this.#partial.delete(id)
      throw new ProtocolError(`chunk ${index}/${count} of message ${id} is out of order or inconsistent`)
    }
    if (offset + payload.byteLength > total || (index === count - 1 && offset + payload.byteLength !== total)) {
      this.#partial.delete(id)
      throw new ProtocolError(`chunks of message ${id} do not add up to ${total} bytes`)
    }
    partial.buffer.set(payload, offset)
    partial.next++
    partial.filled = offset + payload.byteLength
    if (partial.next < count) return { kind: 'partial' }
    this.#partial.delete(id)
    return { kind: 'message', channel: partial.channel, payload: partial.buffer }
  }
}
