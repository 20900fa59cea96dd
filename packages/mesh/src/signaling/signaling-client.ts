import { AccessDeniedError, type Identity } from '@tessera/core'
import { peerBindingMessage, readIceServersGrant, type ClientFrame, type IceServer, type PeerMeta, type RoomPeer, type ServerFrame } from '@tessera/signaling/protocol'
import { WEBSOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket.ts'

export interface SignalingClientOptions {
  /**
   * The server, or several instances sharing rooms (docs/deploy-signaling.md):
   * each reconnection tries the next one, so a peer whose instance died
   * rejoins the room through another.
   */
  readonly url: string | readonly string[]
  readonly room: string
  /** Whose id this connection binds: it signs each connection's challenge to prove it. */
  readonly identity: Identity
  readonly meta: PeerMeta
  readonly token?: string
  readonly WebSocket: WebSocketConstructor
  /** First reconnect delay; it doubles up to `maxBackoffMs`, with jitter. */
  readonly minBackoffMs?: number
  readonly maxBackoffMs?: number
  readonly pingMs?: number
}

export interface SignalingEvents {
  /** The key id that signs this server's subject certificates, from each connection's `welcome`. */
  issuer?(issuer: string): void
  /**
   * The room as the server sees it, on every (re)join; `origin` is the
   * server's tag for each peer's address, `certificate` (unchecked) its
   * subject certificate; `self` is our own binding, as the server announces it.
   */
  roster(peers: readonly RoomPeer[], self?: RoomPeer): void
  joined(peer: string, meta: PeerMeta, origin: string | undefined, certificate?: unknown): void
  /** A renewed certificate of a peer in the room (ours included), unchecked. */
  certified?(peer: string, certificate: unknown): void
  left(peer: string): void
  signal(from: string, data: unknown): void
  /** The server refused us (for instance a private room without a valid token). */
  refused(code: string, reason: string): void
  connected(connected: boolean): void
}

/** Refusals that retrying cannot cure: the client reports them and stops. */
const FINAL_REFUSALS = new Set(['unauthorized', 'unproven-peer'])
const REFUSALS = new Set([...FINAL_REFUSALS, 'too-many-rooms', 'too-many-new-rooms', 'too-many-identities', 'server-full'])
/**
 * When to ask for a new certificate, as a share of the current one's life:
 * the server signs a new one only past half, and peers must get it well
 * before the old one lapses.
 */
const RENEW_AT = 0.75
const MIN_RENEW_DELAY_MS = 1_000
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * One peer's connection to the signaling server: joins the room under the
 * peer's id, proving it with the peer's key on every (re)connection (the
 * server's `welcome` brings a new challenge each time), relays signals to
 * named peers, and reconnects with backoff when the server goes away.
 * Established WebRTC links do not depend on it.
 */
export class SignalingClient {
  #socket: WebSocketLike | undefined
  #iceServers: readonly IceServer[] = []
  #attempt = 0
  /** Which of the URLs the current (or next) connection goes to. */
  #urlIndex = 0
  #closed = false
  #joined = false
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #pingTimer: ReturnType<typeof setInterval> | undefined
  #renewTimer: ReturnType<typeof setTimeout> | undefined
  /** Asks for new ICE servers before the TURN credentials of the last ones expire. */
  #iceTimer: ReturnType<typeof setTimeout> | undefined
  /** The signature of the certificate the renewal timer runs for. */
  #renewing: string | undefined
  readonly #ready: Promise<void>
  /** URLs whose connection closed before it opened, since one last opened: all of them means nobody is there. */
  readonly #failedToOpen = new Set<string>()
  #everJoined = false
  readonly #unreachable: Promise<void>
  #resolveUnreachable!: () => void
  #resolveReady!: () => void
  #rejectReady!: (error: Error) => void

  constructor(
    private readonly options: SignalingClientOptions,
    private readonly events: SignalingEvents,
  ) {
    this.#ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve
      this.#rejectReady = reject
    })
    // Nobody may be waiting on `ready`; a refusal is reported through `events.refused` too.
    this.#ready.catch(() => {})
    this.#unreachable = new Promise((resolve) => (this.#resolveUnreachable = resolve))
    this.#connect()
  }

  /** Resolves once the room has been joined the first time; rejects with `AccessDeniedError` if refused. */
  get ready(): Promise<void> {
    return this.#ready
  }

  /**
   * Resolves when, before the room was ever joined, a connection to every URL
   * closed without opening (refused, no such host): the caller need not wait
   * out its timeout. The client keeps trying in the background.
   */
  get unreachable(): Promise<void> {
    return this.#unreachable
  }

  get iceServers(): readonly IceServer[] {
    return this.#iceServers
  }

  get connected(): boolean {
    return this.#joined
  }

  get #peer(): string {
    return this.options.identity.peer
  }

  /** Sends `data` to one peer of the room; false when the server is unreachable right now. */
  signal(to: string, data: unknown): boolean {
    return this.#send({ type: 'publish', topic: this.options.room, to, data: { ...(data as object), from: this.#peer, to } })
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#reconnectTimer)
    clearInterval(this.#pingTimer)
    clearTimeout(this.#iceTimer)
    this.#stopRenewing()
    const socket = this.#socket
    this.#socket = undefined
    if (socket !== undefined) {
      if (socket.readyState === WEBSOCKET_OPEN) this.#send({ type: 'unsubscribe', topics: [this.options.room] }, socket)
      socket.close(1000, 'peer leaving')
    }
  }

  #connect(): void {
    if (this.#closed) return
    let socket: WebSocketLike
    const url = this.#url
    let opened = false
    try {
      socket = new this.options.WebSocket(url)
    } catch {
      this.#failedBeforeOpen(url)
      this.#scheduleReconnect()
      return
    }
    this.#socket = socket
    socket.onopen = () => {
      opened = true
      this.#failedToOpen.clear()
      this.#attempt = 0
      // The subscribe waits for `welcome`: it must carry a proof over that connection's challenge.
      clearInterval(this.#pingTimer)
      this.#pingTimer = setInterval(() => this.#send({ type: 'ping' }, socket), this.options.pingMs ?? 20_000)
    }
    socket.onmessage = (event) => {
      // A challenge is good for its own connection only: never answer one from a socket already replaced.
      if (this.#socket === socket) this.#receive(event.data)
    }
    socket.onerror = () => {
      // onclose follows and reconnects.
    }
    socket.onclose = () => {
      if (this.#socket !== socket) return
      if (!opened) this.#failedBeforeOpen(url)
      clearInterval(this.#pingTimer)
      // The next connection's `welcome` brings new credentials.
      clearTimeout(this.#iceTimer)
      this.#stopRenewing()
      this.#socket = undefined
      if (this.#joined) {
        this.#joined = false
        this.events.connected(false)
      }
      this.#scheduleReconnect()
    }
  }

  #failedBeforeOpen(url: string): void {
    this.#failedToOpen.add(url)
    const urls = typeof this.options.url === 'string' ? 1 : this.options.url.length
    if (!this.#everJoined && this.#failedToOpen.size >= urls) this.#resolveUnreachable()
  }

  get #url(): string {
    const urls = this.options.url
    return typeof urls === 'string' ? urls : (urls[this.#urlIndex % urls.length] ?? '')
  }

  #scheduleReconnect(): void {
    if (this.#closed) return
    // The instance that dropped us (or never answered) may be gone: the next one is likelier up.
    this.#urlIndex++
    const min = this.options.minBackoffMs ?? 250
    const max = this.options.maxBackoffMs ?? 5_000
    const delay = Math.min(max, min * 2 ** this.#attempt) * (0.5 + Math.random() / 2)
    this.#attempt++
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay)
  }

  #receive(data: unknown): void {
    let frame: ServerFrame
    try {
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data as Uint8Array)
      frame = JSON.parse(text) as ServerFrame
    } catch {
      return
    }
    if (typeof frame !== 'object' || frame === null) return
    switch (frame.type) {
      case 'welcome':
        this.#takeIceServers(frame)
        if (typeof frame.issuer === 'string') this.events.issuer?.(frame.issuer)
        this.#subscribe(frame.challenge)
        return
      case 'subscribed':
        if (frame.topic !== this.options.room) return
        this.#joined = true
        this.#everJoined = true
        this.events.connected(true)
        this.events.roster(Array.isArray(frame.peers) ? frame.peers.filter((p) => isRoomPeer(p) && p.peer !== this.#peer) : [], isRoomPeer(frame.self) && frame.self.peer === this.#peer ? frame.self : undefined)
        if (isRoomPeer(frame.self) && frame.self.peer === this.#peer) this.#renewBefore(frame.self.certificate)
        this.#resolveReady()
        return
      case 'peer-joined':
        if (frame.topic === this.options.room && typeof frame.peer === 'string' && frame.peer !== this.#peer) {
          this.events.joined(frame.peer, frame.meta ?? {}, typeof frame.origin === 'string' ? frame.origin : undefined, frame.certificate)
        }
        return
      case 'certificate':
        if (frame.topic !== this.options.room || typeof frame.peer !== 'string') return
        this.events.certified?.(frame.peer, frame.certificate)
        if (frame.peer === this.#peer) this.#renewBefore(frame.certificate)
        return
      case 'peer-left':
        if (frame.topic === this.options.room && frame.peer !== this.#peer) this.events.left(frame.peer)
        return
      case 'publish': {
        if (frame.topic !== this.options.room) return
        const payload = frame.data as { to?: unknown } | null
        // Only the sender's id as the server stamps it (proven with its key); never the `from` a
        // sender writes into `data`, which an unbound member could set to anyone's id.
        const from = frame.from
        if (typeof from !== 'string' || from === this.#peer) return
        if (payload?.to !== undefined && payload.to !== this.#peer) return
        this.events.signal(from, payload)
        return
      }
      case 'ice-servers':
        this.#takeIceServers(frame)
        return
      case 'error':
        if (REFUSALS.has(frame.code)) this.#refused(frame.code, frame.reason)
        return
      default:
        return
    }
  }

  #subscribe(challenge: unknown): void {
    if (typeof challenge !== 'string' || challenge.length === 0) {
      this.#refused('unproven-peer', 'the server sent no challenge to sign, so it cannot bind our id to our key (a server older than this client?)')
      return
    }
    const { room, identity, token, meta } = this.options
    const proof = identity.sign(peerBindingMessage(challenge))
    this.#send({ type: 'subscribe', topics: [room], peer: identity.peer, proof, meta, ...(token === undefined ? {} : { token }) })
  }

  /** Asks for a new certificate three quarters into this one's life; the same one again schedules nothing (it will not be renewed). */
  #renewBefore(certificate: unknown): void {
    if (typeof certificate !== 'object' || certificate === null) return
    const { notBefore, notAfter, sig } = certificate as Record<string, unknown>
    if (typeof notBefore !== 'number' || typeof notAfter !== 'number' || typeof sig !== 'string' || sig === this.#renewing) return
    this.#stopRenewing()
    this.#renewing = sig
    const delay = Math.min(MAX_TIMER_MS, Math.max(MIN_RENEW_DELAY_MS, (notAfter - notBefore) * RENEW_AT))
    this.#renewTimer = setTimeout(() => this.#send({ type: 'renew', topics: [this.options.room] }), delay)
  }

  /**
   * New links use these servers. Credentials that expire are asked for again
   * three quarters into their life; a malformed list keeps the ones we have.
   */
  #takeIceServers(frame: { readonly iceServers?: unknown; readonly iceTtlMs?: unknown }): void {
    const grant = readIceServersGrant(frame)
    if (grant === undefined) return
    this.#iceServers = grant.iceServers
    clearTimeout(this.#iceTimer)
    this.#iceTimer = undefined
    if (grant.iceTtlMs === undefined) return
    const delay = Math.min(MAX_TIMER_MS, Math.max(MIN_RENEW_DELAY_MS, grant.iceTtlMs * RENEW_AT))
    this.#iceTimer = setTimeout(() => this.#send({ type: 'ice-servers' }), delay)
  }

  #stopRenewing(): void {
    clearTimeout(this.#renewTimer)
    this.#renewTimer = undefined
    this.#renewing = undefined
  }

  #refused(code: string, reason: string): void {
    // Retrying with the same token, or the same key with a server that refuses it, would only be refused again.
    if (FINAL_REFUSALS.has(code)) this.close()
    this.#rejectReady(new AccessDeniedError(`signaling refused room "${this.options.room}": ${reason}`))
    this.events.refused(code, reason)
  }

  #send(frame: ClientFrame, socket = this.#socket): boolean {
    if (socket === undefined || socket.readyState !== WEBSOCKET_OPEN) return false
    try {
      socket.send(JSON.stringify(frame))
      return true
    } catch {
      return false
    }
  }
}

function isRoomPeer(value: unknown): value is RoomPeer {
  return typeof value === 'object' && value !== null && typeof (value as { peer?: unknown }).peer === 'string'
}
