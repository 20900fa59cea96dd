/**
 * The client's check of the ICE servers a server hands out (`welcome`,
 * `ice-servers`): they go straight into `RTCPeerConnection`, which throws on a
 * malformed entry, so a bad list is dropped whole here, rebuilt from known
 * fields only. Environment-neutral like protocol.ts.
 */
/** One STUN/TURN server, as `RTCPeerConnection` takes it. */
export interface IceServer {
  readonly urls: string | readonly string[]
  readonly username?: string
  readonly credential?: string
}

export interface IceServersGrant {
  readonly iceServers: readonly IceServer[]
  /** Present when the credentials expire: how long they last from when the frame arrived. */
  readonly iceTtlMs?: number
}

/** More entries, URLs or longer strings than this are no deployment's and are refused. */
export const MAX_ICE_SERVERS = 16
export const MAX_ICE_URLS = 8
export const MAX_ICE_STRING_LENGTH = 512

const ICE_URL = /^(stuns?|turns?):\S+$/

/** The servers and TTL in a `welcome` or `ice-servers` frame, or undefined when they are malformed. */
export function readIceServersGrant(frame: { readonly iceServers?: unknown; readonly iceTtlMs?: unknown }): IceServersGrant | undefined {
  const { iceServers, iceTtlMs } = frame
  if (!Array.isArray(iceServers) || iceServers.length > MAX_ICE_SERVERS) return undefined
  const servers: IceServer[] = []
  for (const entry of iceServers as unknown[]) {
    const server = readIceServer(entry)
    if (server === undefined) return undefined
    servers.push(server)
  }
  if (iceTtlMs === undefined) return { iceServers: servers }
  if (typeof iceTtlMs !== 'number' || !Number.isFinite(iceTtlMs) || iceTtlMs <= 0) return undefined
  return { iceServers: servers, iceTtlMs }
}

function readIceServer(entry: unknown): IceServer | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined
  const { urls, username, credential } = entry as Record<string, unknown>
  const list = typeof urls === 'string' ? [urls] : urls
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ICE_URLS) return undefined
  if (!list.every((url) => isShortString(url) && ICE_URL.test(url))) return undefined
  if ((username !== undefined && !isShortString(username)) || (credential !== undefined && !isShortString(credential))) return undefined
  return {
    urls: typeof urls === 'string' ? urls : [...(list as string[])],
    ...(username === undefined ? {} : { username }),
    ...(credential === undefined ? {} : { credential }),
  }
}

function isShortString(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ICE_STRING_LENGTH
}
