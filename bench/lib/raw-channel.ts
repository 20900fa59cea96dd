/**
 * The raw baseline for every transfer figure: one RTCPeerConnection, one ordered
 * data channel, 64 KiB messages (the mesh's frame size) with `bufferedAmount`
 * backpressure, and nothing else: no framing, no Yjs, no hashing. Environment
 * neutral: Node passes @roamhq/wrtc, pages pass their own WebRTC. The offer and
 * answer travel through the bench process (page.evaluate or stdio), complete
 * with their candidates, so no signaling server is involved.
 */

export interface RawRtc {
  readonly RTCPeerConnection: new (configuration?: RTCConfiguration) => RTCPeerConnection
}

export const RAW_MESSAGE_BYTES = 64 * 1024
/** The mesh's own high-water mark (mesh-options.ts), so both sides buffer alike. */
const HIGH_WATER_BYTES = 1024 * 1024
const HEADER_BYTES = 8

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function gathered(pc: RTCPeerConnection): Promise<string> {
  const deadline = Date.now() + 10_000
  while (pc.iceGatheringState !== 'complete' && Date.now() < deadline) await sleep(10)
  const sdp = pc.localDescription?.sdp
  if (sdp === undefined) throw new Error('no local description')
  return sdp
}

export class RawChannelEnd {
  readonly #channel: RTCDataChannel
  #received = 0
  #expected = -1
  #acked: (() => void) | undefined

  private constructor(readonly pc: RTCPeerConnection) {
    this.#channel = pc.createDataChannel('raw-bench', { negotiated: true, id: 0, ordered: true })
    this.#channel.binaryType = 'arraybuffer'
    this.#channel.bufferedAmountLowThreshold = HIGH_WATER_BYTES / 2
    this.#channel.onmessage = (event: MessageEvent<ArrayBuffer>) => this.#receive(event.data)
  }

  /** The offering side; hand `sdp` to the other end's `answer`. */
  static async offer(rtc: RawRtc): Promise<{ end: RawChannelEnd; sdp: string }> {
    const end = new RawChannelEnd(new rtc.RTCPeerConnection({ iceServers: [] }))
    await end.pc.setLocalDescription(await end.pc.createOffer())
    return { end, sdp: await gathered(end.pc) }
  }

  static async answer(rtc: RawRtc, offer: string): Promise<{ end: RawChannelEnd; sdp: string }> {
    const end = new RawChannelEnd(new rtc.RTCPeerConnection({ iceServers: [] }))
    await end.pc.setRemoteDescription({ type: 'offer', sdp: offer })
    await end.pc.setLocalDescription(await end.pc.createAnswer())
    return { end, sdp: await gathered(end.pc) }
  }

  async accept(answer: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer })
  }

  async opened(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (this.#channel.readyState !== 'open') {
      if (Date.now() > deadline) throw new Error('the raw data channel did not open')
      await sleep(10)
    }
  }

  /**
   * Sends `totalBytes` in 64 KiB messages and resolves with the milliseconds
   * until the receiver acknowledged the last byte.
   */
  async send(totalBytes: number): Promise<number> {
    const channel = this.#channel
    const acked = new Promise<void>((resolve) => (this.#acked = resolve))
    const message = new Uint8Array(RAW_MESSAGE_BYTES)
    for (let i = 0; i < message.length; i++) message[i] = i & 255
    const started = performance.now()
    const header = new Float64Array([totalBytes])
    channel.send(new Uint8Array(header.buffer))
    for (let sent = 0; sent < totalBytes; ) {
      while (channel.bufferedAmount > HIGH_WATER_BYTES) await this.#drained()
      const bytes = Math.min(RAW_MESSAGE_BYTES, totalBytes - sent)
      channel.send(bytes === RAW_MESSAGE_BYTES ? message : message.subarray(0, bytes))
      sent += bytes
    }
    await acked
    return performance.now() - started
  }

  close(): void {
    this.#channel.close()
    this.pc.close()
  }

  // @roamhq/wrtc never fires `bufferedamountlow` (see the mesh's send queue), so poll as well.
  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, 1)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.#channel.onbufferedamountlow = done
    })
  }

  #receive(data: ArrayBuffer): void {
    if (data.byteLength === HEADER_BYTES && this.#expected < 0) {
      this.#expected = new Float64Array(data)[0] as number
      this.#received = 0
    } else if (data.byteLength === 1) {
      this.#acked?.()
      return
    } else {
      this.#received += data.byteLength
    }
    if (this.#expected >= 0 && this.#received >= this.#expected) {
      this.#expected = -1
      this.#channel.send(new Uint8Array([1]))
    }
  }
}
