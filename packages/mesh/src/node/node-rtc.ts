import wrtc from '@roamhq/wrtc'
import { WebSocket } from 'ws'
import type { RtcImplementation } from '../link/peer-link.ts'
import type { WebSocketConstructor } from '../signaling/websocket.ts'

/** WebRTC in Node: @roamhq/wrtc (the node-datachannel polyfill breaks on `sdp`). */
export const nodeRtc: RtcImplementation = {
  RTCPeerConnection: wrtc.RTCPeerConnection as unknown as RtcImplementation['RTCPeerConnection'],
}

/** Node 20 has no global WebSocket. */
export const nodeWebSocket = WebSocket as unknown as WebSocketConstructor
