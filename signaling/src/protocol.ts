/**
 * The signaling wire protocol: JSON text frames over one WebSocket. It is a
 * superset of y-webrtc's (`subscribe`, `unsubscribe`, `publish`, `ping`), so a
 * stock y-webrtc client works against our server; the extensions let a peer be
 * addressed directly (`to`), admitted to private rooms (`token`), bound to the
 * Ed25519 key its id spells (`proof`), certified as a subject (`certificate`,
 * renewed with `renew`) and told who is in a room without the whole room
 * announcing itself to everyone.
 *
 * This file is environment-neutral: browsers and Node import it to build and
 * check frames, and the server parses with `parseClientFrame` (parse.ts).
 */
import type { SubjectCertificate } from '@tessera/core'
import type { ErrorCode } from './error-code.ts'
import type { IceServer } from './read-ice.ts'

/** Peer metadata carried by `subscribe` and echoed to the room in `peer-joined`. */
export interface PeerMeta {
  readonly kind?: 'browser' | 'node'
  readonly version?: string
}

/** A peer bound in a room, as the server announces it. */
export interface RoomPeer {
  readonly peer: string
  readonly meta: PeerMeta
  /**
   * Stamped by the server, never by the peer: a tag for the address its
   * connection comes from, equal for connections from one address. Peers count
   * admission quotas by it. Absent from servers that do not stamp it.
   */
  readonly origin?: string
  /**
   * The server's signed word that this peer key belongs to a subject in this
   * room (`verifySubjectCertificate` in `@tessera/core`, against the issuer of
   * `welcome`). Only key ids that proved their key get one.
   */
  readonly certificate?: SubjectCertificate
}

export type ClientFrame =
  /**
   * Join rooms. `peer` binds this connection to a peer id inside those rooms, so
   * frames can be routed to it; the id must be a key id and `proof` its key's
   * signature of `peerBindingMessage(challenge)` (the challenge of this
   * connection's `welcome`). `token` admits it to private rooms.
   */
  | {
      readonly type: 'subscribe'
      readonly topics: readonly string[]
      readonly peer?: string
      /** base64url Ed25519 signature; required with `peer`. */
      readonly proof?: string
      readonly token?: string
      readonly meta?: PeerMeta
    }
  | { readonly type: 'unsubscribe'; readonly topics: readonly string[] }
  /**
   * Ask for a fresh certificate in rooms where this connection is bound: the
   * server answers each with `certificate` (a new one once the current is
   * past half its life, else the current one again).
   */
  | { readonly type: 'renew'; readonly topics: readonly string[] }
  /**
   * Relay `data` to the room. With `to` (or, as y-webrtc writes it, `data.to`)
   * naming a peer bound in that room, only that peer receives it.
   */
  | { readonly type: 'publish'; readonly topic: string; readonly data: unknown; readonly to?: string }
  | { readonly type: 'ping' }
  /** Ask for fresh ICE servers (new TURN credentials) before those of `welcome` expire: answered with `ice-servers`. */
  | { readonly type: 'ice-servers' }

export type { ErrorCode }

// Declared beside its reader, which checks what a server hands out.
export type { IceServer } from './read-ice.ts'

export type ServerFrame =
  /** First frame on every connection: what the deployment wants peers to use. */
  | {
      readonly type: 'welcome'
      /** Fresh random bytes (base64url) for this connection only: a peer signs them to bind its id. */
      readonly challenge: string
      readonly iceServers: readonly IceServer[]
      /**
       * How long the credentials in `iceServers` stay valid from now, in ms
       * (short-lived TURN credentials); absent when none expire. A client asks
       * for new ones (`ice-servers`) before then, or gets them on reconnecting.
       */
      readonly iceTtlMs?: number
      readonly maxPayload: number
      readonly maxRooms: number
      /** The key id that signs this server's subject certificates: the same on every instance that shares a secret. */
      readonly issuer: string
    }
  /**
   * Reply to `subscribe`, per topic: the peers already bound there, and this
   * connection's own binding (with its certificate) when it bound a peer id.
   */
  | { readonly type: 'subscribed'; readonly topic: string; readonly peers: readonly RoomPeer[]; readonly self?: RoomPeer }
  | ({ readonly type: 'peer-joined'; readonly topic: string } & RoomPeer)
  | { readonly type: 'peer-left'; readonly topic: string; readonly peer: string }
  /** A bound peer's renewed certificate, to the whole room (and to the peer, in answer to `renew`). */
  | { readonly type: 'certificate'; readonly topic: string; readonly peer: string; readonly certificate: SubjectCertificate }
  /** A relayed publish; `from` is the sender's bound peer id when it has one. */
  | { readonly type: 'publish'; readonly topic: string; readonly data: unknown; readonly from?: string }
  | { readonly type: 'pong' }
  /** Answer to `ice-servers`: fresh ICE servers, as in `welcome`. */
  | { readonly type: 'ice-servers'; readonly iceServers: readonly IceServer[]; readonly iceTtlMs?: number }
  /** The frame was refused; the connection stays open unless the abuse goes on. */
  | { readonly type: 'error'; readonly code: ErrorCode; readonly reason: string; readonly topic?: string }

export const DEFAULT_SIGNALING_PORT = 8787
/** Topic, peer id and token strings longer than this are refused as malformed. */
export const MAX_NAME_LENGTH = 256
export const MAX_TOKEN_LENGTH = 2048
/** A `proof` longer than this is malformed (an Ed25519 signature in base64url has 86). */
export const MAX_PROOF_LENGTH = 128

/** Random bytes in each connection's challenge. */
export const CHALLENGE_BYTES = 24

/**
 * The bytes a peer signs to bind its id on one connection. Versioned and
 * domain-separated, so a signature made for anything else (a record, another
 * protocol) never passes as a binding proof, nor this one as anything else.
 * The challenge is new on every connection, so a proof seen once (on the wire,
 * or by a peer it was relayed to) cannot be replayed on another.
 */
export const PEER_BINDING_DOMAIN = 'tessera/signaling-bind@1'

export function peerBindingMessage(challenge: string): Uint8Array {
  return new TextEncoder().encode(`${PEER_BINDING_DOMAIN} ${challenge}`)
}

/**
 * Most topics one `subscribe` or `unsubscribe` may name (the server raises it to
 * its `maxRooms` when that is larger). Longer lists are refused as malformed.
 */
export const MAX_TOPICS_PER_FRAME = 64
/**
 * Deepest nesting of arrays and objects a `publish` may carry in `data`.
 * Signaling payloads are shallow (y-webrtc's are three levels); the cap keeps
 * re-serializing a relayed frame from exhausting the stack.
 */
export const MAX_DATA_DEPTH = 32

// Lives in errors.ts; re-exported so `import { SignalingProtocolError } from './protocol.ts'` keeps working.
export { SignalingProtocolError } from './errors.ts'
export { readIceServersGrant, type IceServersGrant } from './read-ice.ts'
