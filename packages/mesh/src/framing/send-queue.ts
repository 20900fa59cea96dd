import { copyBytes } from '@tessera/core'
import { ChunkCursor, fitsOneFrame, MAX_FRAME_BYTES, wholeFrame, type Channel } from './frames.ts'

/** The part of an `RTCDataChannel` a send queue needs. */
export interface FrameSink {
  /**
   * Done with `frame` when it returns: `RTCDataChannel.send` copies what it is
   * given (browsers and @roamhq/wrtc alike), so one buffer serves every chunk frame.
   */
  send(frame: Uint8Array<ArrayBuffer>): void
  readonly bufferedAmount: number
}

export interface SendQueueOptions {
  /** Stop handing frames to the channel while this much is buffered in it. */
  readonly highWaterBytes: number
  /**
   * How often to look at `bufferedAmount` again while above the high-water mark.
   * @roamhq/wrtc never fires `bufferedamountlow`, so polling is the only wake-up
   * that works everywhere; browsers also call `wake()` from the event.
   */
  readonly pollMs: number
  /** Messages waiting beyond this are refused: `enqueue` returns false. */
  readonly maxQueuedBytes: number
}

type Item = { readonly frame: Uint8Array<ArrayBuffer>; readonly bytes: number } | { readonly cursor: ChunkCursor; readonly bytes: number }

/**
 * Frames waiting for room in a data channel. Each channel (documents, blobs,
 * presence) keeps its own first-in-first-out order, because Yjs updates must
 * arrive in the order they were made; the channels take turns frame by frame,
 * so a 50 MB blob does not hold back a document update.
 */
export class SendQueue {
  readonly #queues = new Map<Channel, Item[]>()
  #turn: Channel[] = []
  #queuedBytes = 0
  #nextMessageId = 1
  #timer: ReturnType<typeof setTimeout> | undefined
  #closed = false
  /**
   * An upper bound on the channel's `bufferedAmount`: what it was when last read,
   * plus what was sent since (the channel only drains meanwhile). Reading it is a
   * synchronous hop to the WebRTC network thread in @roamhq/wrtc, which was 1.4%
   * of a donor's main thread when read before every frame, so it is read only
   * when this bound reaches the high-water mark.
   */
  #bufferedAtMost = 0
  /** Where chunk frames are cut, one after another: a frame per 64 KiB allocated was most of the sender's garbage. */
  readonly #scratch = new Uint8Array(MAX_FRAME_BYTES)

  constructor(
    private readonly sink: FrameSink,
    private readonly options: SendQueueOptions,
    private readonly onError: (error: unknown) => void,
  ) {}

  get queuedBytes(): number {
    return this.#queuedBytes
  }

  enqueue(channel: Channel, payload: Uint8Array): boolean {
    if (fitsOneFrame(payload)) return this.#push(channel, { frame: wholeFrame(channel, payload), bytes: payload.byteLength })
    if (!this.#fits(payload.byteLength)) return false
    // Copied: the caller may reuse its buffer while the message waits.
    return this.#push(channel, { cursor: new ChunkCursor(channel, this.#nextMessageId++ >>> 0, copyBytes(payload)), bytes: payload.byteLength })
  }

  /**
   * Queues a message made of `parts` (a header and a blob, say) that the caller
   * hands over: they are framed straight from where they are, never copied or
   * joined, so the caller must not change them afterwards.
   */
  enqueueOwned(channel: Channel, parts: readonly Uint8Array[]): boolean {
    const bytes = parts.reduce((sum, part) => sum + part.byteLength, 0)
    if (parts.length === 1 && fitsOneFrame(parts[0] as Uint8Array)) return this.enqueue(channel, parts[0] as Uint8Array)
    if (!this.#fits(bytes)) return false
    return this.#push(channel, { cursor: new ChunkCursor(channel, this.#nextMessageId++ >>> 0, parts), bytes })
  }

  #fits(bytes: number): boolean {
    return !this.#closed && this.#queuedBytes + bytes <= this.options.maxQueuedBytes
  }

  #push(channel: Channel, item: Item): boolean {
    if (!this.#fits(item.bytes)) return false
    let queue = this.#queues.get(channel)
    if (queue === undefined) this.#queues.set(channel, (queue = []))
    if (queue.length === 0) this.#turn.push(channel)
    queue.push(item)
    this.#queuedBytes += item.bytes
    this.wake()
    return true
  }

  /** Sends a control frame (ping, bye) ahead of everything queued. */
  sendNow(frame: Uint8Array<ArrayBuffer>): void {
    if (this.#closed) return
    try {
      this.sink.send(frame)
      this.#bufferedAtMost += frame.byteLength
    } catch (error) {
      this.onError(error)
    }
  }

  wake(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    this.#pump()
  }

  close(): void {
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#queues.clear()
    this.#turn = []
    this.#queuedBytes = 0
  }

  #pump(): void {
    try {
      while (!this.#closed && this.#turn.length > 0) {
        if (this.#bufferedAtMost >= this.options.highWaterBytes) this.#bufferedAtMost = this.sink.bufferedAmount
        if (this.#bufferedAtMost >= this.options.highWaterBytes) {
          this.#timer = setTimeout(() => {
            this.#timer = undefined
            this.#pump()
          }, this.options.pollMs)
          return
        }
        const channel = this.#turn.shift() as Channel
        const queue = this.#queues.get(channel) as Item[]
        const head = queue[0] as Item
        const frame = 'frame' in head ? head.frame : (head.cursor.next(this.#scratch) as Uint8Array<ArrayBuffer>)
        if ('frame' in head || head.cursor.done) {
          queue.shift()
          this.#queuedBytes -= head.bytes
        }
        if (queue.length > 0) this.#turn.push(channel)
        this.sink.send(frame)
        this.#bufferedAtMost += frame.byteLength
      }
    } catch (error) {
      this.close()
      this.onError(error)
    }
  }
}

