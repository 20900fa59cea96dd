/**
 * The process-facing half: one HTTP server for `/healthz` and `/metrics` whose
 * upgrades become WebSocket connections handed to the hub, plus keep-alive and
 * shutdown. Nothing a client sends may throw out of here.
 */
import { clientAddress } from './client-address.ts'
import { isLoopbackAddress } from './network-prefix.ts'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import { CloseCode, SignalingHub, type HubConnection } from './hub.ts'
import { SignalingMetrics, type DisconnectReason, type MetricsSnapshot } from './metrics.ts'
import { resolveOptions, type SignalingServerOptions } from './options.ts'
import { RedisBus } from './bus/redis-bus.ts'
import type { RoomBus } from './bus/room-bus.ts'

export interface SignalingServer {
  /** The interface bound, as configured. */
  readonly host: string
  /** The port bound (the real one when 0 was asked for). */
  readonly port: number
  /** `ws://` URL a client on this machine can connect to. */
  readonly url: string
  /** `http://` base of `/healthz` and `/metrics`. */
  readonly httpUrl: string
  /** The key id that signs its subject certificates (announced in `welcome`). */
  readonly issuer: string
  /** This instance's id on the bus it shares rooms through, if any. */
  readonly instance: string | undefined
  snapshot(): MetricsSnapshot
  /** Closes every connection (1001) and stops listening. Safe to call twice. */
  close(): Promise<void>
}

/** How long a closing peer gets to answer the close handshake before its socket is destroyed. */
const CLOSE_GRACE_MS = 1000

class SocketConnection implements HubConnection {
  alive = true
  endReason: DisconnectReason | undefined
  private killTimer: NodeJS.Timeout | undefined

  constructor(
    readonly ws: WebSocket,
    private readonly maxBufferedBytes: number,
    readonly address: string | undefined,
  ) {}

  send(text: string): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.end(CloseCode.tryAgainLater, 'too slow', 'slow-consumer')
      return false
    }
    this.ws.send(text)
    return true
  }

  end(code: number, reason: string, why: DisconnectReason): void {
    this.endReason ??= why
    if (why === 'keepalive' || why === 'slow-consumer') {
      // Nothing would reach it: the socket is dead or its queue is already full.
      this.ws.terminate()
      return
    }
    if (this.killTimer !== undefined) return
    this.ws.close(code, reason)
    this.killTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS)
    this.killTimer.unref()
  }

  closed(): void {
    clearTimeout(this.killTimer)
  }
}

export async function startSignalingServer(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  const config = resolveOptions(options)
  const metrics = new SignalingMetrics()
  const bus = sharedBus(options, config.log)
  if (bus !== undefined && config.secret === undefined) {
    throw new TypeError('sharing rooms through Redis needs a secret, the same on every instance, so they agree on certificates and origin tags')
  }
  const hub = new SignalingHub<SocketConnection>(config, metrics, Date.now, bus)
  await hub.cluster?.start()
  const connections = new Set<SocketConnection>()
  const gauges = () => ({ connections: hub.connectionCount, rooms: hub.rooms.topicCount })
  let closing: Promise<void> | undefined
  let warnedProxy = false
  let allClosed: (() => void) | undefined

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxPayload,
    // Compression would let a small frame inflate past maxPayload's intent, and costs CPU per peer.
    perMessageDeflate: false,
    clientTracking: false,
  })

  const http = createServer((req, res) => {
    try {
      serveHttp(req, res, () => metrics.render(gauges()), options.httpFallback)
    } catch (error) {
      config.log(`signaling: HTTP handler failed: ${String(error)}`)
      if (!res.headersSent) res.writeHead(500)
      res.end()
    }
  })
  http.on('upgrade', (req, socket, head) => {
    if (closing !== undefined) {
      socket.destroy()
      return
    }
    let address: string | undefined
    try {
      address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config)
    } catch (error) {
      config.log(`signaling: ${String(error)}`)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      return
    }
    if (config.trustProxy.length === 0 && req.headers['x-forwarded-for'] !== undefined && isLoopbackAddress(address) && !warnedProxy) {
      warnedProxy = true
      config.log('signaling: a connection from this machine carries X-Forwarded-For: behind a reverse proxy every client counts as this machine (local:) unless the proxy is trusted (trustProxy, --trust-proxy loopback)')
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, address))
  })

  function accept(ws: WebSocket, address: string | undefined): void {
    const conn = new SocketConnection(ws, config.maxBufferedBytes, address)
    connections.add(conn)
    ws.on('error', (error: Error & { code?: string }) => {
      // ws closes the socket itself after these; only the accounting is ours.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        conn.endReason ??= 'too-large'
        metrics.reject('too-large')
      } else if (error.code?.startsWith('WS_ERR_') === true) {
        conn.endReason ??= 'protocol-error'
        metrics.reject('bad-frame')
      }
    })
    ws.on('pong', () => {
      conn.alive = true
    })
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        hub.receive(conn, isBinary ? toBytes(data) : toBytes(data).toString('utf8'))
      } catch (error) {
        config.log(`signaling: frame handler failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      }
    })
    ws.on('close', () => {
      conn.closed()
      connections.delete(conn)
      hub.disconnect(conn)
      metrics.disconnect(conn.endReason ?? 'closed')
      if (connections.size === 0) allClosed?.()
    })
    hub.connect(conn)
  }

  const keepAlive = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        conn.end(CloseCode.goingAway, 'no pong', 'keepalive')
        continue
      }
      conn.alive = false
      if (conn.ws.readyState === WebSocket.OPEN) conn.ws.ping()
    }
  }, config.keepAliveMs)
  keepAlive.unref()

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(config.port, config.host, () => {
      http.off('error', reject)
      resolve()
    })
  }).catch(async (error: unknown) => {
    clearInterval(keepAlive)
    await bus?.close()
    throw error
  })
  http.on('error', (error) => config.log(`signaling: HTTP server error: ${error.message}`))

  const port = (http.address() as AddressInfo).port
  const base = `${connectableHost(config.host)}:${port}`

  async function shutdown(): Promise<void> {
    clearInterval(keepAlive)
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()))
    if (connections.size > 0) {
      const done = new Promise<void>((resolve) => {
        allClosed = resolve
      })
      for (const conn of connections) conn.end(CloseCode.goingAway, 'server shutting down', 'shutdown')
      await done
    }
    await new Promise<void>((resolve) => wss.close(() => resolve()))
    // Keep-alive HTTP clients (a metrics scraper) would otherwise hold close() open.
    http.closeAllConnections()
    await httpClosed
    // Last: the other instances hear this one's peers left before it says goodbye.
    await bus?.close()
  }

  return {
    host: config.host,
    port,
    url: `ws://${base}`,
    httpUrl: `http://${base}`,
    issuer: hub.certification.issuer.peer,
    instance: bus?.instance,
    snapshot: () => metrics.snapshot(gauges()),
    close: () => (closing ??= shutdown()),
  }
}

function sharedBus(options: SignalingServerOptions, log: (line: string) => void): RoomBus | undefined {
  if (options.bus !== undefined) return options.bus
  if (options.redis === undefined) return undefined
  return new RedisBus({ ...(typeof options.redis === 'string' ? { url: options.redis } : options.redis), log })
}

function serveHttp(
  req: IncomingMessage,
  res: ServerResponse,
  renderMetrics: () => string,
  fallback: SignalingServerOptions['httpFallback'],
): void {
  const path = (req.url ?? '/').split('?', 1)[0]
  const route =
    path === '/healthz'
      ? { type: 'text/plain; charset=utf-8', body: () => 'ok' }
      : path === '/metrics'
        ? { type: 'text/plain; version=0.0.4; charset=utf-8', body: renderMetrics }
        : undefined
  if (route === undefined && fallback !== undefined) {
    fallback(req, res)
    return
  }
  if (route === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n')
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n')
    return
  }
  const body = route.body()
  res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
  res.end(req.method === 'HEAD' ? undefined : body)
}

function toBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

/** A wildcard bind is reachable on loopback; IPv6 literals need brackets in URLs. */
function connectableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}
