/**
 * Short-lived TURN credentials in coturn's "TURN REST API" scheme
 * (`use-auth-secret` with `static-auth-secret`): the username is
 * `<expiry unix seconds>:<tag>` and the password is
 * base64(HMAC-SHA1(secret, username)). coturn recomputes the HMAC from the
 * username and refuses it once the expiry has passed, so the signaling server
 * and coturn share only the secret, and every client gets a credential of its
 * own that dies on its own, instead of one static password that anyone who
 * opened the page could reuse for ever.
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { IceServer } from './protocol.ts'

export interface TurnOptions {
  /** `turn:` / `turns:` URLs of the coturn servers that share `secret`. */
  readonly urls: readonly string[]
  /** coturn's `static-auth-secret`. */
  readonly secret: string
  /**
   * How long each credential is valid, in seconds. Default one day, the
   * REST API draft's recommendation: a relayed link whose allocation outlives
   * its credential can no longer refresh it, and a day covers a donor's session.
   */
  readonly ttlSeconds?: number
}

export interface ResolvedTurn {
  readonly urls: readonly string[]
  readonly secret: string
  readonly ttlSeconds: number
}

/** What a client is handed: the servers to use, and how long their credentials last from now (none when nothing expires). */
export interface IceGrant {
  readonly iceServers: readonly IceServer[]
  readonly iceTtlMs?: number
}

export const DEFAULT_TURN_TTL_SECONDS = 24 * 60 * 60
/** Bounds of `ttlSeconds`: a client refreshes at three quarters of it, so under a minute would be a load; over a week is no longer short-lived. */
export const MIN_TURN_TTL_SECONDS = 60
export const MAX_TURN_TTL_SECONDS = 7 * 24 * 60 * 60
/** A coturn secret much shorter than this can be guessed from one credential. */
export const MIN_TURN_SECRET_LENGTH = 16

/** Checks `TurnOptions` at start-up, so a typo is an error rather than peers that never relay. */
export function resolveTurn(options: TurnOptions): ResolvedTurn {
  const { urls, secret } = options
  if (urls.length === 0) throw new TypeError('turn.urls must name at least one turn: or turns: URL')
  for (const url of urls) {
    if (!/^turns?:[^\s]+$/.test(url)) throw new TypeError(`turn.urls: ${JSON.stringify(url)} is not a turn: or turns: URL (turn:HOST:PORT)`)
  }
  if (secret.length < MIN_TURN_SECRET_LENGTH) throw new RangeError(`turn.secret must be at least ${MIN_TURN_SECRET_LENGTH} characters`)
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < MIN_TURN_TTL_SECONDS || ttlSeconds > MAX_TURN_TTL_SECONDS) {
    throw new RangeError(`turn.ttlSeconds must be an integer from ${MIN_TURN_TTL_SECONDS} to ${MAX_TURN_TTL_SECONDS}, got ${ttlSeconds}`)
  }
  return { urls: [...urls], secret, ttlSeconds }
}

/**
 * One credential for `turn`'s servers, valid until `now` + its TTL. `tag`
 * (default: random) only makes usernames distinct in coturn's logs and quotas;
 * it must not contain `:`, which coturn reads as the separator.
 */
export function turnCredential(turn: ResolvedTurn, now: number, tag: string = randomBytes(9).toString('base64url')): IceServer & { readonly username: string; readonly credential: string } {
  if (tag.includes(':')) throw new TypeError('a TURN username tag must not contain ":"')
  const expiry = Math.floor(now / 1000) + turn.ttlSeconds
  const username = `${expiry}:${tag}`
  return { urls: [...turn.urls], username, credential: turnPassword(turn.secret, username) }
}

/** coturn's password for `username` under `use-auth-secret`. */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64')
}

/** The ICE servers a client is handed now: the configured ones, and a fresh TURN credential when TURN is on. */
export function iceGrant(iceServers: readonly IceServer[], turn: ResolvedTurn | undefined, now: number): IceGrant {
  if (turn === undefined) return { iceServers }
  return { iceServers: [...iceServers, turnCredential(turn, now)], iceTtlMs: turn.ttlSeconds * 1000 }
}
