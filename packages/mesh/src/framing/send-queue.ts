import { copyBytes } from '@tessera/core'
import { ChunkCursor, fitsOneFrame, wholeFrame, type Channel } from './frames.ts'

/** The part of an `RTCDataChannel` a send queue needs. */
export interface FrameSink {
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

  constructor(
    private readonly sink: FrameSink,
    private readonly options: SendQueueOptions,
    private readonly onError: (error: unknown) => void,
  ) {}

  get queuedBytes(): number {
    return this.#queuedBytes
  }

  enqueue(channel: Channel, payload: Uint8Array): boolean {
    if (this.#closed || this.#queuedBytes + payload.byteLength > this.options.maxQueuedBytes) return false
    const item: Item = fitsOneFrame(payload)
      ? { frame: wholeFrame(channel, payload), bytes: payload.byteLength }
      : { cursor: new ChunkCursor(channel, this.#nextMessageId++ >>> 0, copyBytes(payload)), bytes: payload.byteLength }
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
        const frame = 'frame' in head ? head.frame : (head.cursor.next() as Uint8Array<ArrayBuffer>)
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

