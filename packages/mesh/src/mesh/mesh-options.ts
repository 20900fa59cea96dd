import type { Identity } from '@tessera/core'
import type { PeerMeta } from '@tessera/signaling/protocol'
import type { LinkLimits, RtcImplementation } from '../link/peer-link.ts'
import type { WebSocketConstructor } from '../signaling/websocket.ts'

export interface MeshOptions extends IceOptions {
  /** `ws://host:port` of the signaling server, or of several instances sharing rooms: a reconnection tries the next. */
  readonly signaling: string | readonly string[]
  readonly room: string
  /** For private rooms: an HMAC-signed token from the operator. */
  readonly token?: string
  /** This peer's key pair: its id is `identity.peer`, which the signaling server binds only with proof of the key. */
  readonly identity: Identity
  readonly meta: PeerMeta
  readonly rtc: RtcImplementation
  readonly WebSocket: WebSocketConstructor
  /** At most this many links; the mesh is partial beyond it and updates gossip. */
  readonly maxPeers?: number
  /** How often the mesh looks for peers to link to. */
  readonly maintainMs?: number
  readonly limits?: Partial<LinkLimits>
}

/** How links find a path: `connect()`, `MeshPeer.start()` and `Mesh` take these as they are. */
export interface IceOptions {
  /**
   * STUN/TURN servers links use besides those the signaling server hands out
   * (its short-lived TURN credentials, docs/turn.md).
   */
  readonly iceServers?: readonly RTCIceServer[]
  /**
   * `'relay'`: every link goes through a TURN server, never a direct path, so
   * peers never learn this one's addresses (and a peer behind a strict NAT
   * gets through). Default `'all'`.
   */
  readonly iceTransportPolicy?: RTCIceTransportPolicy
}

/** The `IceOptions` among `options`, without undefined fields, to pass on. */
export function iceOptionsOf(options: IceOptions): IceOptions {
  return {
    ...(options.iceServers === undefined ? {} : { iceServers: options.iceServers }),
    ...(options.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: options.iceTransportPolicy }),
  }
}

export const MESH_DEFAULTS = {
  maxPeers: 20,
  maintainMs: 1_000,
  limits: {
    heartbeatMs: 1_000,
    deadAfterMs: 5_000,
    connectTimeoutMs: 15_000,
    // A 50 MB document reaches a late joiner as one sync message; a 100 MB
    // update is refused at its first chunk, before anything is allocated.
    maxMessageBytes: 80 * 1024 * 1024,
    highWaterBytes: 1024 * 1024,
    maxQueuedBytes: 512 * 1024 * 1024,
  } satisfies LinkLimits,
} as const

/** How long a peer that answered "busy" is left alone. */
export const BUSY_COOLDOWN_MS = 10_000

/** How long a peer that sent malformed frames is refused. */
export const BAN_MS = 10 * 60_000
