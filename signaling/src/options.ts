/**
 * Server options, their defaults, and the checks that turn a bad configuration
 * into an error at start-up rather than odd behaviour later.
 */
import { checkProxyTrust, type ProxyTrust } from './client-address.ts'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { adminMatcher, type AdminGrant } from './admins.ts'
import type { RedisBusOptions } from './bus/redis-bus.ts'
import type { RoomBus } from './bus/room-bus.ts'
import type { IceServer } from './protocol.ts'
import { DEFAULT_SIGNALING_PORT, MAX_TOPICS_PER_FRAME } from './protocol.ts'
import type { RateLimitConfig } from './rate-limit.ts'
import { resolveTurn, type ResolvedTurn, type TurnOptions } from './turn-credentials.ts'

/** Topics with this prefix are always private, whatever `privateRooms` says. */
export const PRIVATE_ROOM_PREFIX = 'private:'

/** Shortest secret accepted: HMAC keys much shorter than this are guessable. */
export const MIN_SECRET_LENGTH = 16

export interface SignalingServerOptions extends ProxyTrust {
  /** TCP port; 0 picks a free one. Default 8787. */
  readonly port?: number
  /**
   * Interface to bind. Default `127.0.0.1`, so a server started for a test or
   * a laptop is not reachable from the network by accident; deployments pass
   * `0.0.0.0` (or `::`).
   */
  readonly host?: string
  /** STUN/TURN servers announced in `welcome`. Default none: enough on loopback and LANs. */
  readonly iceServers?: readonly IceServer[]
  /**
   * coturn servers sharing a `static-auth-secret` (docs/turn.md): each
   * connection is handed its own short-lived credential for them, besides `iceServers`.
   */
  readonly turn?: TurnOptions
  /** Largest frame in bytes; bigger ones close the connection with 1009. Default 64 KiB. */
  readonly maxPayload?: number
  /** Topics one connection may be in at once. Default 32. */
  readonly maxRooms?: number
  /** Topics that may exist at once across the server. Default 10,000. */
  readonly maxTopics?: number
  /**
   * Rooms one connection may have created that still exist. Joining an existing
   * room is never limited by this. Default 8.
   */
  readonly maxNewRoomsPerConnection?: number
  /**
   * Rooms that connections from one address (an IPv4 address, an IPv6 /64) may
   * have created that still exist, so that many connections from one place cannot
   * fill the server's `maxTopics`. Default 64.
   */
  readonly maxNewRoomsPerAddress?: number
  /** Open connections at once; more are told `server-full` and closed with 1013. Default 10,000. */
  readonly maxConnections?: number
  readonly rateLimit?: Partial<RateLimitConfig>
  /**
   * HMAC secret for room tokens (at least 16 characters). Without it no
   * private room can be joined. The certificate issuer's key and the keys of
   * origin tags and network subjects are derived from it, so every instance
   * started with one secret agrees on them; without it they are new on every start.
   */
  readonly secret?: string
  /**
   * Peer ids one subject may have bound in one room at once; more are refused
   * with `too-many-identities`. Default 8: one person's host and tabs, or a
   * household behind one address. Quorum counts subjects, so extra ids of a
   * subject add no votes; the cap bounds how much of a room (links,
   * directory, admission) one subject can fill.
   */
  readonly maxIdentitiesPerSubject?: number
  /** How long a subject certificate is valid. Default 1 hour; from 1 minute to 1 day. */
  readonly certificateLifetimeMs?: number
  /**
   * Whether connections from loopback are capped too. Default false: they
   * are the server's own machine (one subject, `npm start` and tests with many
   * local peers), or a reverse proxy, where every peer would share one address.
   */
  readonly capLoopbackIdentities?: boolean
  /**
   * In public rooms a peer's subject is a keyed hash of its IPv4 address or
   * of this many leading bits of its IPv6 address (48 to 64, default 64). ISPs
   * give a home a /56 or /48: 56 or 48 stop one home from being 256 or 65,536
   * subjects, at the cost of grouping mobile devices that share a carrier's prefix.
   */
  readonly ipv6SubjectPrefix?: number
  /**
   * Keys the server certifies as room admins (`admin: true` in their subject
   * certificates): each may cancel anyone's job, in one room or in all
   * (`parseAdminGrants` reads `--admin`). Admin room tokens make admins too.
   */
  readonly admins?: readonly AdminGrant[]
  /**
   * Rooms that need a token, besides every topic starting with `private:`:
   * exact names, names ending in `*` as prefixes (`"team-*"`), or a predicate.
   */
  readonly privateRooms?: readonly string[] | ((topic: string) => boolean)
  /** Interval between keep-alive pings; a socket that has not answered the previous one is dropped. Default 30 s. */
  readonly keepAliveMs?: number
  /**
   * Outgoing bytes that may wait on one socket; a peer that lets more pile up
   * is disconnected rather than allowed to grow the server's memory. Default 1 MiB.
   */
  readonly maxBufferedBytes?: number
  /** Where to write operational log lines. Default: nowhere. */
  readonly log?: (line: string) => void
  /**
   * Answers the HTTP requests that are neither `/healthz`, `/metrics` nor a
   * WebSocket upgrade (say, the donate page's files), so one port serves both.
   * Default: 404.
   */
  readonly httpFallback?: (req: IncomingMessage, res: ServerResponse) => void
  /**
   * Share rooms with every other instance started with the same Redis
   * (`redis://host:port`, or the bus's options): see docs/deploy-signaling.md.
   * Needs `secret`, the same on every instance, so they agree on certificates
   * and origin tags. Default: rooms live in this process only.
   */
  readonly redis?: string | Omit<RedisBusOptions, 'log'>
  /** Share rooms through this bus instead of Redis (an in-process one, for tests and benchmarks). */
  readonly bus?: RoomBus
}

export interface ResolvedOptions {
  readonly port: number
  readonly host: string
  readonly iceServers: readonly IceServer[]
  readonly turn: ResolvedTurn | undefined
  readonly maxPayload: number
  readonly maxRooms: number
  readonly maxTopics: number
  readonly maxNewRoomsPerConnection: number
  readonly maxNewRoomsPerAddress: number
  readonly maxTopicsPerFrame: number
  readonly maxConnections: number
  readonly rateLimit: RateLimitConfig
  readonly secret: string | undefined
  readonly maxIdentitiesPerSubject: number
  readonly certificateLifetimeMs: number
  readonly capLoopbackIdentities: boolean
  readonly ipv6SubjectPrefix: number
  /** Reverse proxies whose `X-Forwarded-For` names the client (`client-address.ts`). */
  readonly trustProxy: readonly string[]
  /** Whether the operator named `peer` an admin of `room` (`admins`). */
  readonly isAdmin: (room: string, peer: string) => boolean
  readonly isPrivate: (topic: string) => boolean
  readonly keepAliveMs: number
  readonly maxBufferedBytes: number
  readonly log: (line: string) => void
}

export const DEFAULTS = {
  port: DEFAULT_SIGNALING_PORT,
  host: '127.0.0.1',
  maxPayload: 64 * 1024,
  maxRooms: 32,
  maxTopics: 10_000,
  maxNewRoomsPerConnection: 8,
  maxNewRoomsPerAddress: 64,
  maxConnections: 10_000,
  rateLimit: { framesPerSecond: 100, burst: 200, floodFactor: 10, floodWindowMs: 1000 },
  keepAliveMs: 30_000,
  maxBufferedBytes: 1024 * 1024,
  maxIdentitiesPerSubject: 8,
  certificateLifetimeMs: 60 * 60_000,
  ipv6SubjectPrefix: 64,
} as const

/** Bounds of `certificateLifetimeMs`: renewals at under a minute would be a load, certificates over a day too long a promise. */
export const MIN_CERTIFICATE_LIFETIME_MS = 60_000
export const MAX_CERTIFICATE_LIFETIME_MS = 24 * 60 * 60_000

export function resolveOptions(options: SignalingServerOptions = {}): ResolvedOptions {
  const port = options.port ?? DEFAULTS.port
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port must be an integer from 0 to 65535, got ${port}`)
  const maxRooms = positiveInteger('maxRooms', options.maxRooms, DEFAULTS.maxRooms)
  const rate = options.rateLimit ?? {}
  const secret = options.secret
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw new RangeError(`secret must be at least ${MIN_SECRET_LENGTH} characters`)
  }
  const extra = options.privateRooms
  if (secret === undefined && extra !== undefined && (typeof extra === 'function' || extra.length > 0)) {
    // Those rooms could never be joined: surely a missing secret, not intent.
    throw new TypeError('privateRooms needs a secret to sign and check room tokens')
  }
  return {
    port,
    host: options.host ?? DEFAULTS.host,
    iceServers: validateIceServers(options.iceServers ?? []),
    turn: options.turn === undefined ? undefined : resolveTurn(options.turn),
    maxPayload: positiveInteger('maxPayload', options.maxPayload, DEFAULTS.maxPayload),
    maxRooms,
    maxTopics: positiveInteger('maxTopics', options.maxTopics, DEFAULTS.maxTopics),
    maxNewRoomsPerConnection: positiveInteger('maxNewRoomsPerConnection', options.maxNewRoomsPerConnection, DEFAULTS.maxNewRoomsPerConnection),
    maxNewRoomsPerAddress: positiveInteger('maxNewRoomsPerAddress', options.maxNewRoomsPerAddress, DEFAULTS.maxNewRoomsPerAddress),
    // A client must be able to join all the rooms it is allowed in with one frame.
    maxTopicsPerFrame: Math.max(MAX_TOPICS_PER_FRAME, maxRooms),
    maxConnections: positiveInteger('maxConnections', options.maxConnections, DEFAULTS.maxConnections),
    rateLimit: {
      framesPerSecond: positiveNumber('rateLimit.framesPerSecond', rate.framesPerSecond, DEFAULTS.rateLimit.framesPerSecond),
      burst: positiveNumber('rateLimit.burst', rate.burst, DEFAULTS.rateLimit.burst),
      floodFactor: positiveNumber('rateLimit.floodFactor', rate.floodFactor, DEFAULTS.rateLimit.floodFactor),
      floodWindowMs: positiveNumber('rateLimit.floodWindowMs', rate.floodWindowMs, DEFAULTS.rateLimit.floodWindowMs),
    },
    secret,
    maxIdentitiesPerSubject: positiveInteger('maxIdentitiesPerSubject', options.maxIdentitiesPerSubject, DEFAULTS.maxIdentitiesPerSubject),
    certificateLifetimeMs: within('certificateLifetimeMs', options.certificateLifetimeMs, DEFAULTS.certificateLifetimeMs, MIN_CERTIFICATE_LIFETIME_MS, MAX_CERTIFICATE_LIFETIME_MS),
    capLoopbackIdentities: options.capLoopbackIdentities ?? false,
    ipv6SubjectPrefix: within('ipv6SubjectPrefix', options.ipv6SubjectPrefix, DEFAULTS.ipv6SubjectPrefix, 48, 64),
    trustProxy: checkedProxyTrust(options.trustProxy ?? []),
    isAdmin: adminMatcher(options.admins),
    isPrivate: privateRoomMatcher(extra),
    keepAliveMs: positiveNumber('keepAliveMs', options.keepAliveMs, DEFAULTS.keepAliveMs),
    maxBufferedBytes: positiveInteger('maxBufferedBytes', options.maxBufferedBytes, DEFAULTS.maxBufferedBytes),
    log: options.log ?? (() => {}),
  }
}

/** `private:*` always, plus the configured names, prefixes or predicate. */
export function privateRoomMatcher(extra: SignalingServerOptions['privateRooms']): (topic: string) => boolean {
  if (typeof extra === 'function') return (topic) => topic.startsWith(PRIVATE_ROOM_PREFIX) || extra(topic)
  const exact = new Set<string>()
  const prefixes = [PRIVATE_ROOM_PREFIX]
  for (const entry of extra ?? []) {
    if (entry.endsWith('*')) prefixes.push(entry.slice(0, -1))
    else exact.add(entry)
  }
  return (topic) => exact.has(topic) || prefixes.some((prefix) => topic.startsWith(prefix))
}

/** Parses the JSON given to `--ice` or `TESSERA_ICE_SERVERS`. */
export function parseIceServers(json: string): IceServer[] {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (error) {
    throw new TypeError(`ICE servers must be a JSON array: ${(error as Error).message}`)
  }
  return validateIceServers(value)
}

function validateIceServers(value: unknown): IceServer[] {
  if (!Array.isArray(value)) throw new TypeError('ICE servers must be an array of {urls, username?, credential?}')
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new TypeError(`ICE server ${index} must be an object`)
    const { urls, username, credential } = entry as Record<string, unknown>
    const urlList = typeof urls === 'string' ? [urls] : urls
    if (!Array.isArray(urlList) || urlList.length === 0 || !urlList.every((url) => typeof url === 'string' && /^(stuns?|turns?):/.test(url))) {
      throw new TypeError(`ICE server ${index}: "urls" must be a stun:, stuns:, turn: or turns: URL or a non-empty list of them`)
    }
    if (username !== undefined && typeof username !== 'string') throw new TypeError(`ICE server ${index}: "username" must be a string`)
    if (credential !== undefined && typeof credential !== 'string') throw new TypeError(`ICE server ${index}: "credential" must be a string`)
    return {
      urls: typeof urls === 'string' ? urls : (urlList as string[]),
      ...(username === undefined ? {} : { username }),
      ...(credential === undefined ? {} : { credential }),
    }
  })
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`)
  return value
}

function within(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`)
  return value
}

function positiveNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`)
  return value
}

function checkedProxyTrust(entries: readonly string[]): readonly string[] {
  checkProxyTrust(entries)
  return [...entries]
}
