/**
 * `@tessera/signaling`: the Node server and what operators and tests need with
 * it. Browsers import `@tessera/signaling/protocol` instead, which has no Node imports.
 */
export { startSignalingServer, type SignalingServer } from './server.ts'
export {
  DEFAULTS,
  MIN_SECRET_LENGTH,
  PRIVATE_ROOM_PREFIX,
  parseIceServers,
  privateRoomMatcher,
  type SignalingServerOptions,
} from './options.ts'
export { parseAdminGrants, type AdminGrant } from './admins.ts'
export {
  signRoomToken,
  verifyRoomToken,
  tokenSubject,
  type RoomTokenFailure,
  type RoomTokenPayload,
  type RoomTokenVerdict,
  type SignRoomTokenOptions,
  type VerifyRoomTokenOptions,
} from './tokens.ts'
export { issuerOfSecret } from './server-keys.ts'
export { parseClientFrame, validateClientFrame, type ParseOptions } from './parse.ts'
export { SignalingProtocolError } from './errors.ts'
export type { DisconnectReason, MetricsSnapshot } from './metrics.ts'
export type { RateLimitConfig } from './rate-limit.ts'
export {
  DEFAULT_SIGNALING_PORT,
  MAX_DATA_DEPTH,
  MAX_NAME_LENGTH,
  MAX_TOKEN_LENGTH,
  MAX_TOPICS_PER_FRAME,
  type ClientFrame,
  type ErrorCode,
  type IceServer,
  type PeerMeta,
  type ServerFrame,
} from './protocol.ts'
export {
  DEFAULT_TURN_TTL_SECONDS,
  iceGrant,
  resolveTurn,
  turnCredential,
  turnPassword,
  type IceGrant,
  type ResolvedTurn,
  type TurnOptions,
} from './turn-credentials.ts'
export { MemoryBusNetwork } from './bus/memory-bus.ts'
export { RedisBus, RedisBusError, type RedisBusOptions } from './bus/redis-bus.ts'
export type { BusListener, BusTiming, PresenceSnapshot, RoomBus } from './bus/room-bus.ts'
