/**
 * Room tokens: `base64url(JSON payload) "." base64url(HMAC-SHA256(secret, first part))`
 * with payload `{ room, exp, peer?, subject?, admin? }` (`exp` in unix seconds). The
 * operator's backend signs them with the secret the server is started with;
 * the server only verifies, so it never needs a user database.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { isSubjectName } from '@tessera/core'

export interface RoomTokenPayload {
  readonly room: string
  /** Unix seconds; the token is refused from this second on. */
  readonly exp: number
  /** When present, only a subscribe that binds this peer id may use the token. */
  readonly peer?: string
  /**
   * Who holds it, as the operator names them (`SUBJECT_NAME_PATTERN`): the
   * subject its peers are certified as. Tokens without one get a derived
   * subject (`tokenSubject`).
   */
  readonly subject?: string
  /** Its holders are room admins: their certificates say so, and they may cancel anyone's job in the room. */
  readonly admin?: true
}

export interface SignRoomTokenOptions {
  readonly secret: string
  readonly room: string
  readonly expiresInSeconds: number
  readonly peer?: string
  readonly subject?: string
  /** Makes its holders room admins. */
  readonly admin?: boolean
  /** Unix seconds to count from; defaults to the current time. */
  readonly now?: number
}

export interface VerifyRoomTokenOptions {
  readonly secret: string
  /** The token as the client sent it; `undefined` is reported as missing. */
  readonly token: string | undefined
  /** The room being joined: must equal the token's `room`. */
  readonly room: string
  /** The peer id the subscribe binds, if any: must equal the token's `peer` when it has one. */
  readonly peer?: string | undefined
  readonly now?: number
}

export type RoomTokenFailure = 'token missing' | 'token malformed' | 'bad signature' | 'token expired' | 'token is for another room' | 'token is for another peer'

export type RoomTokenVerdict =
  | { readonly ok: true; readonly payload: RoomTokenPayload }
  | { readonly ok: false; readonly reason: RoomTokenFailure }

export function signRoomToken(options: SignRoomTokenOptions): string {
  const { secret, room, expiresInSeconds, peer, subject } = options
  if (secret.length === 0) throw new TypeError('signRoomToken: secret must not be empty')
  if (subject !== undefined && !isSubjectName(subject)) {
    throw new TypeError(`signRoomToken: subject must be 1 to 64 letters, digits and . _ @ + - (starting with a letter or digit), got ${JSON.stringify(subject)}`)
  }
  if (room.length === 0) throw new TypeError('signRoomToken: room must not be empty')
  if (!Number.isFinite(expiresInSeconds) || expiresInSeconds <= 0) {
    throw new RangeError(`signRoomToken: expiresInSeconds must be a positive number, got ${expiresInSeconds}`)
  }
  const exp = Math.floor((options.now ?? nowSeconds()) + expiresInSeconds)
  const payload: RoomTokenPayload = {
    room,
    exp,
    ...(peer === undefined ? {} : { peer }),
    ...(subject === undefined ? {} : { subject }),
    ...(options.admin === true ? { admin: true as const } : {}),
  }
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')
  return `${body}.${mac(secret, body).toString('base64url')}`
}

/** Never throws on client input: every way a token can be wrong is a `reason`. */
export function verifyRoomToken(options: VerifyRoomTokenOptions): RoomTokenVerdict {
  const { secret, token, room, peer } = options
  if (token === undefined || token.length === 0) return fail('token missing')
  const parts = token.split('.')
  if (parts.length !== 2) return fail('token malformed')
  const [body, signature] = parts as [string, string]
  if (!BASE64URL.test(body) || !BASE64URL.test(signature)) return fail('token malformed')

  // Signature first: nothing in an unauthenticated payload is worth reporting.
  const expected = mac(secret, body)
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('bad signature')

  const payload = decodePayload(body)
  if (payload === undefined) return fail('token malformed')
  if ((options.now ?? nowSeconds()) >= payload.exp) return fail('token expired')
  if (payload.room !== room) return fail('token is for another room')
  if (payload.peer !== undefined && payload.peer !== peer) return fail('token is for another peer')
  return { ok: true, payload }
}

/** What a private room's admission says: why the token is refused, or what it says. */
export function admitByToken(secret: string | undefined, attempt: Omit<VerifyRoomTokenOptions, 'secret'>): string | RoomTokenPayload {
  if (secret === undefined) return 'this server has no secret configured, so no private room can be joined'
  const verdict = verifyRoomToken({ secret, ...attempt })
  return verdict.ok ? verdict.payload : verdict.reason
}

const BASE64URL = /^[A-Za-z0-9_-]+$/

function decodePayload(body: string): RoomTokenPayload | undefined {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const { room, exp, peer, subject, admin } = value as Record<string, unknown>
  if (typeof room !== 'string' || typeof exp !== 'number' || !Number.isFinite(exp)) return undefined
  if (peer !== undefined && typeof peer !== 'string') return undefined
  if (subject !== undefined && !isSubjectName(subject)) return undefined
  if (admin !== undefined && admin !== true) return undefined
  return { room, exp, ...(peer === undefined ? {} : { peer }), ...(subject === undefined ? {} : { subject }), ...(admin === true ? { admin } : {}) }
}

/**
 * The subject a valid token certifies its peers as. Its own `subject` when it
 * names one. Tokens made before subjects existed stay valid: one pinned to a
 * peer stands for that peer (the same subject however often it is reissued),
 * and an unpinned one for whoever holds that very token, so everyone sharing
 * it counts as one subject, capped like any other. The derived forms contain
 * `:`, which named subjects cannot, so they never collide with a name.
 */
export function tokenSubject(payload: RoomTokenPayload, token: string): string {
  if (payload.subject !== undefined) return payload.subject
  const basis = payload.peer === undefined ? `token ${token}` : `peer ${payload.peer}`
  return `token:${createHash('sha256').update(`tessera/token-subject@1 ${basis}`).digest('base64url').slice(0, 22)}`
}

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest()
}

function nowSeconds(): number {
  return Date.now() / 1000
}

function fail(reason: RoomTokenFailure): RoomTokenVerdict {
  return { ok: false, reason }
}
