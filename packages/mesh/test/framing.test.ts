import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ChunkCursor, MAX_FRAME_BYTES, Reassembler, SendQueue, wholeFrame, type FrameSink } from '@tessera/mesh'

const limits = { maxMessageBytes: 8 * 1024 * 1024, maxPartialMessages: 4 }

/** A data channel stand-in that drains `drainPerTick` bytes whenever the test ticks it. */
class FakeChannel implements FrameSink {
  readonly frames: Uint8Array[] = []
  bufferedAmount = 0
  maxBuffered = 0
  send(frame: Uint8Array<ArrayBuffer>): void {
    if (frame.byteLength > 256 * 1024) throw new Error('a real data channel refuses this')
    // A real channel copies what it is sent: the queue reuses its frame buffer.
    this.frames.push(frame.slice())
    this.bufferedAmount += frame.byteLength
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount)
  }
}

// Vitest's deep equality walks a typed array element by element: far too slow for megabytes.
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && Buffer.compare(a, b) === 0
const summary = (m: { channel: number; payload: Uint8Array }) => ({ channel: m.channel, size: m.payload.byteLength })

function bytesOf(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 255
  return bytes
}

describe('framing', () => {
  it('cuts any message into frames of at most 64 KiB and puts it back together', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ channel: fc.integer({ min: 0, max: 3 }), size: fc.integer({ min: 0, max: 300_000 }) }), { maxLength: 8 }), (messages) => {
        const sink = new FakeChannel()
        const queue = new SendQueue(sink, { highWaterBytes: Infinity, pollMs: 1, maxQueuedBytes: Infinity }, (e) => {
          throw e
        })
        const sent = messages.map((m, i) => ({ channel: m.channel, payload: bytesOf(m.size, i) }))
        for (const m of sent) expect(queue.enqueue(m.channel, m.payload)).toBe(true)
        expect(sink.frames.every((f) => f.byteLength <= MAX_FRAME_BYTES)).toBe(true)
        const reassembler = new Reassembler(limits)
        const received: Array<{ channel: number; payload: Uint8Array }> = []
        for (const frame of sink.frames) {
          const decoded = reassembler.accept(frame)
          if (decoded.kind === 'message') received.push({ channel: decoded.channel, payload: decoded.payload })
        }
        // Channels may interleave, but each keeps its own order.
        for (const channel of [0, 1, 2, 3]) {
          const got = received.filter((r) => r.channel === channel)
          const want = sent.filter((s) => s.channel === channel)
          expect(got.map(summary)).toEqual(want.map(summary))
          expect(got.every((r, i) => sameBytes(r.payload, (want[i] as { payload: Uint8Array }).payload))).toBe(true)
        }
        expect(reassembler.pendingBytes).toBe(0)
      }),
      { numRuns: 60 },
    )
  })

  it('frames a message given as parts where they lie, cutting every chunk frame into one reused buffer', () => {
    const buffers = new Set<ArrayBufferLike>()
    const sink = new FakeChannel()
    const tracking: FrameSink = {
      send: (frame) => {
        buffers.add(frame.buffer)
        sink.send(frame)
      },
      get bufferedAmount() {
        return sink.bufferedAmount
      },
    }
    const queue = new SendQueue(tracking, { highWaterBytes: Infinity, pollMs: 1, maxQueuedBytes: Infinity }, (e) => {
      throw e
    })
    const parts = [bytesOf(16, 1), new Uint8Array(0), bytesOf(200_000, 2), bytesOf(70_000, 3)]
    expect(queue.enqueueOwned(2, parts)).toBe(true)
    expect(sink.frames.length).toBe(5)
    expect(buffers.size).toBe(1)
    const reassembler = new Reassembler(limits)
    const decoded = sink.frames.map((frame) => reassembler.accept(frame)).filter((d) => d.kind === 'message')
    expect(decoded).toHaveLength(1)
    expect(sameBytes((decoded[0] as { payload: Uint8Array }).payload, Buffer.concat(parts))).toBe(true)
  })

  it('stops at the high-water mark and resumes as the channel drains (backpressure)', async () => {
    const sink = new FakeChannel()
    const errors: unknown[] = []
    const queue = new SendQueue(sink, { highWaterBytes: 256 * 1024, pollMs: 1, maxQueuedBytes: 64 * 1024 * 1024 }, (e) => errors.push(e))
    const message = bytesOf(5 * 1024 * 1024, 7)
    expect(queue.enqueue(1, message)).toBe(true)
    // Nothing drains yet: the queue must have stopped near the mark.
    expect(sink.bufferedAmount).toBeLessThan(256 * 1024 + MAX_FRAME_BYTES)
    expect(queue.queuedBytes).toBe(message.byteLength)
    const reassembler = new Reassembler(limits)
    let delivered: Uint8Array | undefined
    let drained = 0
    while (delivered === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 2))
      // The channel sends what it buffered; the poll wakes the queue.
      for (const frame of sink.frames.splice(0)) {
        const decoded = reassembler.accept(frame)
        if (decoded.kind === 'message') delivered = decoded.payload
      }
      drained += sink.bufferedAmount
      sink.bufferedAmount = 0
    }
    expect(sameBytes(delivered, message)).toBe(true)
    expect(drained).toBeGreaterThan(message.byteLength)
    expect(sink.maxBuffered).toBeLessThan(256 * 1024 + MAX_FRAME_BYTES)
    expect(queue.queuedBytes).toBe(0)
    expect(errors).toEqual([])
  })

  it('reads bufferedAmount (a thread hop in @roamhq/wrtc) only when what it sent could have reached the mark', () => {
    let reads = 0
    const sink = new FakeChannel()
    const counted: FrameSink = {
      send: (frame) => sink.send(frame),
      get bufferedAmount() {
        reads++
        return sink.bufferedAmount
      },
    }
    const queue = new SendQueue(counted, { highWaterBytes: 64 * 1024, pollMs: 1000, maxQueuedBytes: 1_000_000 }, () => {})
    for (let i = 0; i < 100; i++) queue.enqueue(1, new Uint8Array(500))
    expect(sink.frames.length).toBe(100)
    expect(reads).toBe(0)
    sink.bufferedAmount = 0 // the channel drained
    for (let i = 0; i < 100; i++) queue.enqueue(1, new Uint8Array(500))
    // 100,000 bytes sent in all against a 64 KiB mark: one read found the channel drained.
    expect(sink.frames.length).toBe(200)
    expect(reads).toBe(1)
    queue.close()
  })

  it('refuses messages beyond the queue cap instead of growing without bound', () => {
    const sink = new FakeChannel()
    sink.bufferedAmount = Infinity
    const queue = new SendQueue(sink, { highWaterBytes: 1024, pollMs: 1000, maxQueuedBytes: 1_000_000 }, () => {})
    expect(queue.enqueue(1, new Uint8Array(600_000))).toBe(true)
    expect(queue.enqueue(1, new Uint8Array(600_000))).toBe(false)
    queue.close()
  })

  it('refuses an oversized message at its first chunk, before allocating it', () => {
    const big = new ChunkCursor(1, 9, new Uint8Array(200_000))
    const reassembler = new Reassembler({ maxMessageBytes: 100_000, maxPartialMessages: 4 })
    expect(() => reassembler.accept(big.next() as Uint8Array)).toThrow(/200000-byte message; the limit is 100000/)
    expect(reassembler.pendingBytes).toBe(0)
  })

  it('rejects a forged header that claims 100 MB, and malformed or out-of-order frames', () => {
    const reassembler = new Reassembler(limits)
    const forged = new ChunkCursor(1, 1, new Uint8Array(10)).next() as Uint8Array
    new DataView(forged.buffer).setUint32(14, 100_000_000)
    expect(() => reassembler.accept(forged)).toThrow(expect.objectContaining({ name: 'SizeLimitError' }))
    expect(() => reassembler.accept(Uint8Array.of(9, 1, 2))).toThrow(expect.objectContaining({ name: 'ProtocolError' }))
    expect(() => reassembler.accept(new Uint8Array(MAX_FRAME_BYTES + 1))).toThrow(expect.objectContaining({ name: 'ProtocolError' }))
    const cursor = new ChunkCursor(1, 2, new Uint8Array(200_000))
    cursor.next()
    expect(() => reassembler.accept(cursor.next() as Uint8Array)).toThrow(/before its first chunk/)
    const lying = new ChunkCursor(1, 3, new Uint8Array(10)).next() as Uint8Array
    new DataView(lying.buffer).setUint32(10, 50)
    expect(() => reassembler.accept(lying)).toThrow(/announces 50 chunks/)
    expect(reassembler.accept(wholeFrame(2, Uint8Array.of(5)))).toEqual({ kind: 'message', channel: 2, payload: Uint8Array.of(5) })
  })
})

describe('per-channel caps', () => {
  it('refuses a message over its channel cap at the first chunk, while other channels keep the link-wide cap', () => {
    const reassembler = new Reassembler({ maxMessageBytes: 80 * 1024 * 1024, maxPartialMessages: 4, maxChannelMessageBytes: { 1: 200_000 } })
    const big = new Uint8Array(300_000)
    expect(() => reassembler.accept(new ChunkCursor(1, 7, big).next() as Uint8Array)).toThrow(/300000-byte message; the limit is 200000 bytes on channel 1/)
    expect(reassembler.accept(new ChunkCursor(2, 8, big).next() as Uint8Array)).toEqual({ kind: 'partial' })
  })
})
