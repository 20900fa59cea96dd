import { nodeRtc, type RtcImplementation } from '@tessera/mesh/node'

export interface FrameSpy {
  readonly rtc: RtcImplementation
  /** The largest message handed to any data channel, in bytes. */
  largest(): number
  /** Bytes handed to data channels in all. */
  sent(): number
  /** The raw data channels, to inject frames no honest peer would send. */
  readonly channels: RTCDataChannel[]
}

/** Node's WebRTC, with every data-channel `send` measured: the test checks what really went on the wire. */
export function spyOnFrames(): FrameSpy {
  let largest = 0
  let sent = 0
  const channels: RTCDataChannel[] = []
  const Base = nodeRtc.RTCPeerConnection
  class SpiedPeerConnection extends Base {
    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, init)
      channels.push(channel)
      const send = channel.send.bind(channel) as (data: ArrayBufferView) => void
      channel.send = ((data: ArrayBufferView) => {
        largest = Math.max(largest, data.byteLength)
        sent += data.byteLength
        send(data)
      }) as RTCDataChannel['send']
      return channel
    }
  }
  return { rtc: { RTCPeerConnection: SpiedPeerConnection }, largest: () => largest, sent: () => sent, channels }
}
