/**
 * What the server does with frames: admission, rooms, routing and refusals.
 * It sees connections only through `HubConnection`, so the socket plumbing
 * (server.ts) and the protocol's rules stay apart.
 */
import { isKeyPeerId } from '@tessera/core'
import type { ClientFrame, ErrorCode, PeerMeta, RoomPeer, ServerFrame } from './protocol.ts'
import { OriginTags } from './origin-tags.ts'
import { SignalingProtocolError } from './errors.ts'
import type { DisconnectReason, SignalingMetrics } from './metrics.ts'
import type { ResolvedOptions } from './options.ts'
import { isValidName, parseClientFrame } from './parse.ts'
import { PeerProof } from './peer-proof.ts'
import { FrameRateLimiter } from './rate-limit.ts'
import { addressKey, RoomCreationQuota } from './room-quota.ts'
import { Rooms } from './rooms.ts'
import { verifyRoomToken } from './tokens.ts'

export interface HubConnection {
  /** Queues one serialized frame; false when it was not sent (socket gone or too far behind). */
  send(text: string): boolean
  /** Ends the connection; the owner calls `SignalingHub.disconnect` once it is closed. */
  end(code: number, reason: string, why: DisconnectReason): void
  /** Where it comes from (the socket's remote address): room creation is capped per address. */
  readonly address?: string
}

/** WebSocket close codes the hub uses. */
export const CloseCode = {
  goingAway: 1001,
  policyViolation: 1008,
  tryAgainLater: 1013,
} as const

interface ConnectionState {
  readonly limiter: FrameRateLimiter
  /** Its challenge, and the one peer id it has proven. */
  readonly proof: PeerProof
  ending: boolean
}

type SubscribeFrame = Extract<ClientFrame, { type: 'subscribe' }>
type PublishFrame = Extract<ClientFrame, { type: 'publish' }>

export class SignalingHub<C extends HubConnection> {
  readonly rooms: Rooms<C>
  readonly roomQuota: RoomCreationQuota<C>
  private readonly states = new Map<C, ConnectionState>()
  private readonly origins = new OriginTags<C>()

  constructor(
    private readonly config: ResolvedOptions,
    private readonly metrics: SignalingMetrics,
    private readonly now: () => number = Date.now,
  ) {
    this.rooms = new Rooms<C>(config.maxTopics)
    this.roomQuota = new RoomCreationQuota<C>(config.maxNewRoomsPerConnection, config.maxNewRoomsPerAddress)
  }

  /** Connections admitted and not yet disconnected. */
  get connectionCount(): number {
    return this.states.size
  }

  /** Admits a new connection, or refuses it with `server-full` when at capacity. */
  connect(conn: C): boolean {
    if (this.states.size >= this.config.maxConnections) {
      this.refuse(conn, 'server-full', `the server is at its limit of ${this.config.maxConnections} connections; try again later`)
      conn.end(CloseCode.tryAgainLater, 'server full', 'server-full')
      return false
    }
    this.metrics.connectionsTotal += 1
    const proof = new PeerProof()
    this.states.set(conn, { limiter: new FrameRateLimiter(this.config.rateLimit, this.now()), proof, ending: false })
    const { iceServers, maxPayload, maxRooms } = this.config
    this.sendFrame(conn, { type: 'welcome', challenge: proof.challenge, iceServers, maxPayload, maxRooms })
    return true
  }

  /** Leaves every room, telling the others which bound peers went. */
  disconnect(conn: C): void {
    if (!this.states.delete(conn)) return
    for (const { topic, peer } of this.rooms.leaveAll(conn)) {
      this.forgetIfEmpty(topic)
      if (peer !== undefined) this.broadcast(topic, { type: 'peer-left', topic, peer })
    }
  }

  /** One frame from a client: text is parsed, anything binary is refused. */
  receive(conn: C, frame: string | Uint8Array): void {
    const state = this.states.get(conn)
    if (state === undefined || state.ending) return
    this.metrics.framesReceived += 1

    const now = this.now()
    const decision = state.limiter.take(now)
    if (decision !== 'allow') {
      this.metrics.reject('rate-limited')
      const { framesPerSecond, burst } = this.config.rateLimit
      if (decision === 'flood') {
        state.ending = true
        conn.end(CloseCode.policyViolation, 'rate limit exceeded', 'flood')
      } else if (state.limiter.shouldReport(now)) {
        this.sendError(conn, 'rate-limited', `over ${framesPerSecond} frames per second (burst ${burst}): frames are being dropped`)
      }
      return
    }

    if (typeof frame !== 'string') {
      this.refuse(conn, 'bad-frame', 'binary frames are not part of the protocol: send JSON text')
      return
    }
    let parsed: ClientFrame
    try {
      parsed = parseClientFrame(frame, { maxTopics: this.config.maxTopicsPerFrame })
    } catch (error) {
      if (!(error instanceof SignalingProtocolError)) throw error
      this.refuse(conn, error.code, error.message)
      return
    }
    switch (parsed.type) {
      case 'subscribe':
        this.subscribe(conn, parsed, state)
        break
      case 'unsubscribe':
        for (const topic of parsed.topics) this.unsubscribe(conn, topic)
        break
      case 'publish':
        this.publish(conn, parsed, state)
        break
      case 'ping':
        this.sendFrame(conn, { type: 'pong' })
        break
    }
  }

  private subscribe(conn: C, frame: SubscribeFrame, state: ConnectionState): void {
    if (frame.peer !== undefined) {
      // Refused as a whole, before any topic: an unproven id joins nowhere, not even unbound.
      const refusal = state.proof.check(frame.peer, frame.proof)
      if (refusal !== undefined) {
        this.refuse(conn, 'unproven-peer', refusal)
        return
      }
    }
    for (const topic of frame.topics) {
      let pinned = false
      if (this.config.isPrivate(topic)) {
        const admission = this.admit(topic, frame)
        if (typeof admission === 'string') {
          this.refuse(conn, 'unauthorized', `room ${JSON.stringify(topic)} is private: ${admission}`, topic)
          continue
        }
        pinned = admission.pinned
      }

      const newMember = !this.rooms.isMember(conn, topic)
      if (newMember) {
        if (this.rooms.topicsOf(conn).size >= this.config.maxRooms) {
          this.refuse(conn, 'too-many-rooms', `cannot join ${JSON.stringify(topic)}: a connection may be in at most ${this.config.maxRooms} rooms`, topic)
          continue
        }
        const creates = this.rooms.members(topic).size === 0
        const address = addressKey(conn.address)
        const quota = creates ? this.roomQuota.refusal(conn, address) : undefined
        if (quota !== undefined) {
          this.refuse(conn, 'too-many-new-rooms', `cannot create ${JSON.stringify(topic)}: ${quota}`, topic)
          continue
        }
        if (this.rooms.join(conn, topic) === 'too-many-topics') {
          this.refuse(conn, 'server-full', `cannot create ${JSON.stringify(topic)}: the server holds its limit of ${this.config.maxTopics} rooms`, topic)
          continue
        }
        if (creates) this.roomQuota.created(topic, conn, address)
      }

      if (frame.peer === undefined) {
        this.sendFrame(conn, { type: 'subscribed', topic, peers: this.roomPeers(topic, conn) })
        continue
      }
      const result = this.rooms.bind(conn, topic, frame.peer, frame.meta ?? {}, pinned)
      if (result.status === 'conflict' || result.status === 'not-member') {
        // Refused as a whole: a subscribe that cannot bind its peer id does not half-join.
        if (newMember) {
          this.rooms.leave(conn, topic)
          this.forgetIfEmpty(topic)
        }
        this.refuse(conn, 'unauthorized', `peer id ${JSON.stringify(frame.peer)} in room ${JSON.stringify(topic)} belongs to a peer admitted by a token for it`, topic)
        continue
      }
      this.sendFrame(conn, { type: 'subscribed', topic, peers: this.roomPeers(topic, conn) })
      if (result.status === 'bound') this.announceBinding(conn, topic, frame.peer, frame.meta ?? {}, result.previousPeer, result.displaced)
    }
  }

  /** Who is bound in the room, each with the origin tag of its connection. */
  private roomPeers(topic: string, except: C): RoomPeer[] {
    const peers: RoomPeer[] = []
    for (const binding of this.rooms.bindings(topic)) {
      if (binding.conn !== except) peers.push({ peer: binding.peer, meta: binding.meta, origin: this.origins.of(binding.conn) })
    }
    return peers
  }

  /** Checks the room token; returns why it is refused, or whether the binding is pinned. */
  private admit(topic: string, frame: SubscribeFrame): string | { readonly pinned: boolean } {
    const secret = this.config.secret
    if (secret === undefined) return 'this server has no secret configured, so no private room can be joined'
    const verdict = verifyRoomToken({ secret, token: frame.token, room: topic, peer: frame.peer, now: this.now() / 1000 })
    if (!verdict.ok) return verdict.reason
    return { pinned: verdict.payload.peer !== undefined }
  }

  private unsubscribe(conn: C, topic: string): void {
    const { peer } = this.rooms.leave(conn, topic)
    this.forgetIfEmpty(topic)
    if (peer !== undefined) this.broadcast(topic, { type: 'peer-left', topic, peer })
  }

  private forgetIfEmpty(topic: string): void {
    if (this.rooms.members(topic).size === 0) this.roomQuota.removed(topic)
  }

  private publish(conn: C, frame: PublishFrame, state: ConnectionState): void {
    const { topic, data } = frame
    if (!this.rooms.isMember(conn, topic)) {
      this.refuse(conn, 'not-subscribed', `not subscribed to ${JSON.stringify(topic)}: subscribe before publishing`, topic)
      return
    }
    const fields = isRecord(data) ? data : undefined
    // Stock y-webrtc clients never send `peer`; their announce says who they are.
    if (fields?.['type'] === 'announce' && isValidName(fields['from']) && this.mayAnnounce(state, fields['from']) && this.rooms.bindingOf(conn, topic) === undefined) {
      const result = this.rooms.bind(conn, topic, fields['from'], {})
      if (result.status === 'bound') this.announceBinding(conn, topic, fields['from'], {}, result.previousPeer, result.displaced)
    }

    const from = this.rooms.bindingOf(conn, topic)?.peer
    const to = frame.to ?? (typeof fields?.['to'] === 'string' ? fields['to'] : undefined)
    const target = to === undefined ? undefined : this.rooms.connectionOf(topic, to)
    const text = JSON.stringify({ type: 'publish', topic, data, ...(from === undefined ? {} : { from }) } satisfies ServerFrame)
    if (target !== undefined) {
      if (target.send(text)) this.metrics.messagesRelayed += 1
      return
    }
    // Only the connection that proved a key may read what is addressed to it: with that peer away,
    // the frame has no reader, and broadcasting it (as below) would hand it to everyone else.
    if (to !== undefined && isKeyPeerId(to)) return
    // Unknown or absent recipient: y-webrtc relies on everyone seeing it and filtering by `to`.
    for (const member of [...this.rooms.members(topic)]) {
      if (member !== conn && member.send(text)) this.metrics.messagesRelayed += 1
    }
  }

  /**
   * An announce binds ids that need no proof (y-webrtc's random ones), or the
   * id this connection proved; never a key id it did not prove, and never a
   * second id for a connection that has one.
   */
  private mayAnnounce(state: ConnectionState, peer: string): boolean {
    const proven = state.proof.peer
    return proven === undefined ? !isKeyPeerId(peer) : peer === proven
  }

  /** Tells a room about a new binding, and the connection it replaced that it lost its id. */
  private announceBinding(conn: C, topic: string, peer: string, meta: PeerMeta, previousPeer: string | undefined, displaced: C | undefined): void {
    if (previousPeer !== undefined) this.broadcast(topic, { type: 'peer-left', topic, peer: previousPeer }, conn)
    if (displaced !== undefined) this.sendFrame(displaced, { type: 'peer-left', topic, peer })
    this.broadcast(topic, { type: 'peer-joined', topic, peer, meta, origin: this.origins.of(conn) }, conn, displaced)
  }

  private broadcast(topic: string, frame: ServerFrame, ...except: ReadonlyArray<C | undefined>): void {
    const text = JSON.stringify(frame)
    for (const member of [...this.rooms.members(topic)]) {
      if (!except.includes(member)) member.send(text)
    }
  }

  private refuse(conn: C, code: ErrorCode, reason: string, topic?: string): void {
    this.metrics.reject(code)
    this.sendError(conn, code, reason, topic)
  }

  private sendError(conn: C, code: ErrorCode, reason: string, topic?: string): void {
    this.sendFrame(conn, { type: 'error', code, reason, ...(topic === undefined ? {} : { topic }) })
  }

  private sendFrame(conn: C, frame: ServerFrame): void {
    conn.send(JSON.stringify(frame))
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
