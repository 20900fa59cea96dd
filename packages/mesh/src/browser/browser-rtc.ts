import type { RtcImplementation } from '../link/peer-link.ts'
import type { WebSocketConstructor } from '../signaling/websocket.ts'

export const browserRtc: RtcImplementation = { RTCPeerConnection: globalThis.RTCPeerConnection }
export const browserWebSocket = globalThis.WebSocket as unknown as WebSocketConstructor
