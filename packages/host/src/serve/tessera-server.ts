import type { IncomingMessage, ServerResponse } from 'node:http'
import { privateRoomMatcher, startSignalingServer, type AdminGrant, type SignalingServer, type TurnOptions } from '@tessera/signaling'
import { DEFAULT_SIGNALING_PORT, type IceServer } from '@tessera/signaling/protocol'
import { ensureDonatePage } from '@tessera/donate-page'
import { ListenError } from '../cli/cli-errors.ts'
import { createHttpApi, type HttpApi } from './http-api/http-api.ts'
import { staticFiles } from './static-files.ts'

export interface TesseraServerOptions {
  /** Default 8787; 0 picks a free port. */
  readonly port?: number
  /** Default `127.0.0.1`; `0.0.0.0` serves the network. */
  readonly host?: string
  /** The directory of the page to serve; default the donate page of `@tessera/donate-page` (built on first use); `false` for signaling only. */
  readonly staticDir?: string | false
  /** HMAC secret for private-room tokens. */
  readonly secret?: string
  readonly privateRooms?: readonly string[]
  /** Keys certified as room admins, in every room or in one (`--admin`). */
  readonly admins?: readonly AdminGrant[]
  readonly iceServers?: readonly IceServer[]
  /** coturn servers sharing a secret: each client gets its own short-lived credential (docs/turn.md). */
  readonly turn?: TurnOptions
  /** Share rooms with the other instances on this Redis (`redis://host:port`; needs `secret`). */
  readonly redis?: string
  /** Reverse proxies whose `X-Forwarded-For` names the client, so subjects stay per client (deploy/README.md). */
  readonly trustProxy?: readonly string[]
  /** Off: no HTTP job API under /api/ (it is on by default, and answers 503 without `secret`). */
  readonly httpApi?: false
  /** One-line notices (building the page, a page that could not be found). */
  readonly log?: (line: string) => void
}

export interface TesseraServer {
  readonly port: number
  /** `http://localhost:PORT`: the page, and (as `ws://`) the signaling server. */
  readonly httpUrl: string
  /** The WebSocket URL hosts connect to. */
  readonly signalingUrl: string
  /** What is served besides signaling: a directory, or nothing (and why). */
  readonly page: { readonly dir: string } | { readonly missing: string }
  readonly signaling: SignalingServer
  close(): Promise<void>
}

/**
 * `tessera serve`: the signaling server, the donate page and the HTTP job API
 * (`/api/`, docs/http-api.md) on one port. The
 * page connects to `ws://<the host it was loaded from>`, which is this server.
 */
export async function startTesseraServer(options: TesseraServerOptions = {}): Promise<TesseraServer> {
  const log = options.log ?? (() => {})
  const page: TesseraServer['page'] =
    options.staticDir === false
      ? { missing: 'no page (signaling only)' }
      : options.staticDir !== undefined
        ? { dir: options.staticDir }
        : await ensureDonatePage(log).then((state) => (state.kind === 'built' ? { dir: state.dir } : { missing: state.reason }))
  const pageFiles: ((req: IncomingMessage, res: ServerResponse) => void) | undefined = 'dir' in page ? staticFiles(page.dir) : undefined
  let signalingUrl = ''
  const api: HttpApi | undefined =
    options.httpApi === false
      ? undefined
      : createHttpApi({ secret: options.secret, isPrivate: privateRoomMatcher(options.privateRooms), signaling: () => signalingUrl, log })
  const httpFallback =
    api === undefined && pageFiles === undefined
      ? undefined
      : (req: IncomingMessage, res: ServerResponse): void => {
          if (api?.handle(req, res) === true) return
          if (pageFiles !== undefined) pageFiles(req, res)
          else {
            res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
            res.end('not found')
          }
        }
  const signaling = await startSignalingServer({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.secret === undefined ? {} : { secret: options.secret }),
    ...(options.privateRooms === undefined ? {} : { privateRooms: options.privateRooms }),
    ...(options.admins === undefined ? {} : { admins: options.admins }),
    ...(options.iceServers === undefined ? {} : { iceServers: options.iceServers }),
    ...(options.turn === undefined ? {} : { turn: options.turn }),
    ...(options.redis === undefined ? {} : { redis: options.redis }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    ...(httpFallback === undefined ? {} : { httpFallback }),
    log,
  }).catch((error: unknown) => {
    throw listenError(error, options.port ?? DEFAULT_SIGNALING_PORT)
  })
  signalingUrl = signaling.url
  const local = signaling.httpUrl.replace('://127.0.0.1:', '://localhost:')
  return {
    port: signaling.port,
    httpUrl: local,
    signalingUrl: signaling.url,
    page,
    signaling,
    close: async () => {
      await api?.close()
      await signaling.close()
    },
  }
}

/** The one line a person needs when the port cannot be had. */
function listenError(error: unknown, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE') return new ListenError(`port ${port} is in use: stop whatever holds it, or choose another with --port`, { cause: error })
  if (code === 'EACCES') return new ListenError(`no permission to listen on port ${port}: choose one above 1023 with --port`, { cause: error })
  return error instanceof Error ? error : new Error(String(error))
}
