import { byeFrame, MAX_FRAME_BYTES, pingFrame, Reassembler, type Channel } from '../framing/frames.ts'
import { SendQueue } from '../framing/send-queue.ts'
import type { CandidateInit, LinkSignal } from './link-signal.ts'
import { selectedRoute, type LinkRoute } from './link-route.ts'

/** The WebRTC implementation: the browser's own, or @roamhq/wrtc in Node. */
export interface RtcImplementation {
  readonly RTCPeerConnection: new (configuration?: RTCConfiguration) => RTCPeerConnection
}

export interface LinkLimits {
  /** An idle link sends a ping this often, so its peer knows it is alive. */
  readonly heartbeatMs: number
  /** A link that has heard nothing for this long is dropped: its peer died silently. */
  readonly deadAfterMs: number
  readonly connectTimeoutMs: number
  readonly maxMessageBytes: number
  /** Tighter per-channel caps on one message, refused at its first chunk. */
  readonly maxChannelMessageBytes?: Readonly<Record<number, number>>
  readonly highWaterBytes: number
  readonly maxQueuedBytes: number
}

export type LinkCloseReason = 'bye' | 'silent' | 'timeout' | 'failed' | 'local' | 'protocol'

export interface LinkEvents {
  open(link: PeerLink): void
  message(link: PeerLink, channel: Channel, payload: Uint8Array): void
  close(link: PeerLink, reason: LinkCloseReason, detail?: unknown): void
  signal(link: PeerLink, signal: LinkSignal): void
}

export interface PeerLinkOptions {
  readonly peer: string
  readonly session: string
  readonly initiator: boolean
  readonly rtc: RtcImplementation
  readonly iceServers: readonly RTCIceServer[]
  readonly iceTransportPolicy?: RTCIceTransportPolicy
  readonly limits: LinkLimits
  readonly events: LinkEvents
  /** Our own link count, told to the answerer so a full peer still takes an isolated one. */
  readonly links: number
}

/**
 * One WebRTC connection to one peer, with one ordered data channel that every
 * message (all documents, blobs and presence) shares. Framing, backpressure and
 * the heartbeat live here; choosing peers is the mesh's job.
 */
export class PeerLink {
  readonly peer: string
  readonly session: string
  readonly initiator: boolean
  readonly #pc: RTCPeerConnection
  readonly #channel: RTCDataChannel
  readonly #queue: SendQueue
  readonly #reassembler: Reassembler
  readonly #pendingCandidates: CandidateInit[] = []
  #hasRemote = false
  #open = false
  #closed = false
  #lastHeard = Date.now()
  #lastSent = Date.now()
  #heartbeat: ReturnType<typeof setInterval> | undefined
  readonly #connectTimer: ReturnType<typeof setTimeout>
  /** Set by fault injection: the link is up, but every frame either way is lost. */
  muted = false

  constructor(private readonly options: PeerLinkOptions) {
    this.peer = options.peer
    this.session = options.session
    this.initiator = options.initiator
    this.#pc = new options.rtc.RTCPeerConnection({
      iceServers: [...options.iceServers],
      ...(options.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: options.iceTransportPolicy }),
    })
    // Negotiated with a fixed id, so both sides have the channel at once and no
    // `datachannel` event (which differs between implementations) is needed.
    this.#channel = this.#pc.createDataChannel('tessera', { negotiated: true, id: 0, ordered: true })
    this.#channel.binaryType = 'arraybuffer'
    this.#channel.bufferedAmountLowThreshold = options.limits.highWaterBytes / 2
    const { limits } = options
    this.#queue = new SendQueue(
      this.#sink(),
      { highWaterBytes: limits.highWaterBytes, pollMs: 5, maxQueuedBytes: limits.maxQueuedBytes },
      (error) => this.close('failed', error),
    )
    this.#reassembler = new Reassembler({
      maxMessageBytes: limits.maxMessageBytes,
      maxPartialMessages: 4,
      ...(limits.maxChannelMessageBytes === undefined ? {} : { maxChannelMessageBytes: limits.maxChannelMessageBytes }),
    })
    this.#wire()
    this.#connectTimer = setTimeout(() => {
      if (!this.#open) this.close('timeout')
    }, limits.connectTimeoutMs)
    if (options.initiator) void this.#offer()
  }

  /** Whether the channel ever opened (peers were told it was up). */
  get opened(): boolean {
    return this.#open
  }

  get isOpen(): boolean {
    return this.#open && !this.#closed
  }

  get queuedBytes(): number {
    return this.#queue.queuedBytes
  }

  /** Bytes not yet on the wire: queued here, or in the data channel's own buffer. */
  get unsentBytes(): number {
    if (!this.isOpen) return 0
    return this.#queue.queuedBytes + this.#channel.bufferedAmount
  }

  get silentForMs(): number {
    return Date.now() - this.#lastHeard
  }

  /** The candidate pair ICE selected (a TURN relay, or a direct path); undefined before it chose one. */
  route(): Promise<LinkRoute | undefined> {
    return selectedRoute(this.#pc)
  }

  /** Queues a message of any size; false if the link is not open or its queue is full. Parts are handed over, not copied. */
  send(channel: Channel, payload: Uint8Array | readonly Uint8Array[]): boolean {
    if (!this.isOpen) return false
    return payload instanceof Uint8Array ? this.#queue.enqueue(channel, payload) : this.#queue.enqueueOwned(channel, payload)
  }

  async handleSignal(signal: LinkSignal): Promise<void> {
    if (this.#closed) return
    try {
      if (signal.type === 'offer' && !this.initiator) {
        await this.#pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp })
        await this.#remoteSet()
        const answer = await this.#pc.createAnswer()
        await this.#pc.setLocalDescription(answer)
        this.options.events.signal(this, { type: 'answer', session: this.session, sdp: answer.sdp ?? '' })
      } else if (signal.type === 'answer' && this.initiator && !this.#hasRemote) {
        await this.#pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp })
        await this.#remoteSet()
      } else if (signal.type === 'candidate') {
        if (this.#hasRemote) await this.#pc.addIceCandidate(signal.candidate)
        else if (this.#pendingCandidates.length < 64) this.#pendingCandidates.push(signal.candidate)
      }
    } catch (error) {
      this.close('failed', error)
    }
  }

  close(reason: LinkCloseReason, detail?: unknown): void {
    if (this.#closed) return
    if (reason === 'local' && this.#open) this.#queue.sendNow(byeFrame())
    this.#closed = true
    clearTimeout(this.#connectTimer)
    clearInterval(this.#heartbeat)
    this.#queue.close()
    // Closing at once would drop the bye frame still in the channel's buffer.
    setTimeout(() => {
      try {
        this.#channel.close()
        this.#pc.close()
      } catch {
        // Already closed by the other side.
      }
    }, reason === 'local' ? 50 : 0)
    this.options.events.close(this, reason, detail)
  }

  async #offer(): Promise<void> {
    try {
      const offer = await this.#pc.createOffer()
      await this.#pc.setLocalDescription(offer)
      this.options.events.signal(this, { type: 'offer', session: this.session, sdp: offer.sdp ?? '', links: this.options.links })
    } catch (error) {
      this.close('failed', error)
    }
  }

  async #remoteSet(): Promise<void> {
    this.#hasRemote = true
    for (const candidate of this.#pendingCandidates.splice(0)) await this.#pc.addIceCandidate(candidate)
  }

  #wire(): void {
    this.#pc.onicecandidate = (event) => {
      const c = event.candidate
      if (c === null || c.candidate === '') return
      this.options.events.signal(this, {
        type: 'candidate',
        session: this.session,
        candidate: { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex },
      })
    }
    this.#pc.onconnectionstatechange = () => {
      const state = this.#pc.connectionState
      if (state === 'failed' || state === 'closed') this.close('failed', new Error(`connection ${state}`))
    }
    this.#channel.onopen = () => {
      if (this.#closed) return
      this.#open = true
      clearTimeout(this.#connectTimer)
      this.#lastHeard = Date.now()
      this.#heartbeat = setInterval(() => this.#beat(), this.options.limits.heartbeatMs)
      this.options.events.open(this)
    }
    this.#channel.onclose = () => this.close('failed', new Error('data channel closed'))
    this.#channel.onbufferedamountlow = () => this.#queue.wake()
    this.#channel.onmessage = (event: MessageEvent) => this.#receive(event.data)
  }

  #receive(data: unknown): void {
    if (this.#closed || this.muted) return
    this.#lastHeard = Date.now()
    const frame = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined
    if (frame === undefined) {
      this.close('protocol', new Error('text message on a binary channel'))
      return
    }
    let decoded
    try {
      decoded = this.#reassembler.accept(frame)
    } catch (error) {
      // A broken frame leaves the stream unrecoverable: drop the link.
      this.close('protocol', error)
      return
    }
    if (decoded.kind === 'bye') this.close('bye')
    else if (decoded.kind === 'message') this.options.events.message(this, decoded.channel, decoded.payload)
  }

  #beat(): void {
    if (this.#closed) return
    if (Date.now() - this.#lastHeard > this.options.limits.deadAfterMs) {
      this.close('silent')
      return
    }
    if (Date.now() - this.#lastSent >= this.options.limits.heartbeatMs && this.#channel.bufferedAmount === 0) {
      if (!this.muted) this.#queue.sendNow(pingFrame())
      this.#lastSent = Date.now()
    }
  }

  #sink(): { send(frame: Uint8Array<ArrayBuffer>): void; readonly bufferedAmount: number } {
    const channel = (): RTCDataChannel => this.#channel
    const link = this
    return {
      send(frame) {
        if (link.muted) return
        channel().send(frame)
        link.#lastSent = Date.now()
      },
      get bufferedAmount() {
        return channel().bufferedAmount
      },
    }
  }
}

export { MAX_FRAME_BYTES }
