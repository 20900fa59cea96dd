/**
 * What the server does with frames: admission, rooms, routing and refusals.
 * It sees connections only through `HubConnection`, so the socket plumbing
 * (server.ts) and the protocol's rules stay apart.
 */
import type { RoomBus } from './bus/room-bus.ts'
import { Certification } from './certification.ts'
import { Cluster } from './cluster.ts'
import type { ClientFrame, ErrorCode, RoomPeer, ServerFrame } from './protocol.ts'
import { OriginTags } from './origin-tags.ts'
import { SignalingProtocolError } from './errors.ts'
import { CloseCode, type HubConnection } from './hub-connection.ts'
import type { SignalingMetrics } from './metrics.ts'
import type { ResolvedOptions } from './options.ts'
import { isRecord, isValidName, parseClientFrame } from './parse.ts'
import { PeerProof } from './peer-proof.ts'
import { FrameRateLimiter } from './rate-limit.ts'
import { addressKey, RoomCreationQuota } from './room-quota.ts'
import { relayPublish } from './relay.ts'
import { RoomPeers } from './room-peers.ts'
import { Rooms } from './rooms.ts'
import { deriveServerKeys } from './server-keys.ts'
import { admitByToken, type RoomTokenPayload } from './tokens.ts'
import { iceGrant } from './turn-credentials.ts'

export { CloseCode, type HubConnection } from './hub-connection.ts'

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
  private readonly peers: RoomPeers<C>
  /** Subjects per connection and room, the cap on ids per subject, and certificates. */
  readonly certification: Certification<C>
  /** Other instances sharing these rooms, with a bus. */
  readonly cluster: Cluster<C> | undefined

  constructor(
    private readonly config: ResolvedOptions,
    private readonly metrics: SignalingMetrics,
    private readonly now: () => number = Date.now,
    bus?: RoomBus,
  ) {
    this.rooms = new Rooms<C>(config.maxTopics, () => this.cluster?.elsewhereOnly() ?? 0)
    this.roomQuota = new RoomCreationQuota<C>(config.maxNewRoomsPerConnection, config.maxNewRoomsPerAddress, (address) => this.cluster?.createdBy(address) ?? 0)
    const keys = deriveServerKeys(config.secret)
    this.certification = new Certification<C>(config, keys, () => (metrics.certificatesIssued += 1))
    this.cluster = bus === undefined ? undefined : new Cluster<C>(bus, this.rooms, this.certification, metrics)
    this.peers = new RoomPeers<C>(this.rooms, new OriginTags<C>(keys.originKey), this.certification, (topic) => this.cluster?.peers(topic) ?? [])
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
    const { maxPayload, maxRooms } = this.config
    this.sendFrame(conn, { type: 'welcome', challenge: proof.challenge, ...iceGrant(this.config.iceServers, this.config.turn, this.now()), maxPayload, maxRooms, issuer: this.certification.issuer.peer })
    return true
  }

  /** Leaves every room, telling the others which bound peers went. */
  disconnect(conn: C): void {
    if (!this.states.delete(conn)) return
    for (const { topic, peer } of this.rooms.leaveAll(conn)) {
      this.forgetIfEmpty(topic)
      if (peer !== undefined) {
        this.certification.unbound(topic, peer)
        this.broadcast(topic, { type: 'peer-left', topic, peer })
      }
    }
    this.certification.forget(conn)
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
      case 'renew':
        for (const topic of parsed.topics) this.renew(conn, topic)
        break
      case 'publish':
        this.publish(conn, parsed, state)
        break
      case 'ping':
        this.sendFrame(conn, { type: 'pong' })
        break
      case 'ice-servers':
        // A new TURN credential per ask: the frame rate limit bounds them.
        this.sendFrame(conn, { type: 'ice-servers', ...iceGrant(this.config.iceServers, this.config.turn, this.now()) })
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
      let token: RoomTokenPayload | undefined
      if (this.config.isPrivate(topic)) {
        const admission = admitByToken(this.config.secret, { token: frame.token, room: topic, peer: frame.peer, now: this.now() / 1000 })
        if (typeof admission === 'string') {
          this.refuse(conn, 'unauthorized', `room ${JSON.stringify(topic)} is private: ${admission}`, topic)
          continue
        }
        token = admission
      }
      const claim = this.certification.claimFor(conn, token === undefined ? undefined : { payload: token, text: frame.token ?? '' })
      const overCap = frame.peer === undefined ? undefined : this.certification.capRefusal(topic, frame.peer, claim)
      if (overCap !== undefined) {
        this.refuse(conn, 'too-many-identities', `cannot bind peer ${JSON.stringify(frame.peer)}: ${overCap}`, topic)
        continue
      }

      const newMember = !this.rooms.isMember(conn, topic)
      if (newMember) {
        if (this.rooms.topicsOf(conn).size >= this.config.maxRooms) {
          this.refuse(conn, 'too-many-rooms', `cannot join ${JSON.stringify(topic)}: a connection may be in at most ${this.config.maxRooms} rooms`, topic)
          continue
        }
        const creates = this.rooms.members(topic).size === 0 && this.cluster?.hasRoom(topic) !== true
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
        if (this.rooms.members(topic).size === 1) this.cluster?.opened(topic, creates ? address : '')
      }
      this.certification.remember(conn, topic, claim)

      if (frame.peer === undefined) {
        this.sendFrame(conn, { type: 'subscribed', topic, peers: this.peers.listed(topic, conn) })
        continue
      }
      const meta = frame.meta ?? {}
      const pinned = token?.peer !== undefined
      const result = !pinned && this.cluster?.pinnedElsewhere(topic, frame.peer) === true ? ({ status: 'conflict' } as const) : this.rooms.bind(conn, topic, frame.peer, meta, pinned)
      if (result.status === 'conflict' || result.status === 'not-member') {
        // Refused as a whole: a subscribe that cannot bind its peer id does not half-join.
        if (newMember) this.leaveRoom(conn, topic)
        this.refuse(conn, 'unauthorized', `peer id ${JSON.stringify(frame.peer)} in room ${JSON.stringify(topic)} belongs to a peer admitted by a token for it`, topic)
        continue
      }
      const certified = this.certification.rebound(conn, topic, frame.peer, result.status === 'bound' ? result : {}, this.now())
      const self = this.peers.of(conn, frame.peer, meta, certified?.certificate)
      this.sendFrame(conn, { type: 'subscribed', topic, peers: this.peers.listed(topic, conn), self })
      if (result.status === 'bound') this.announceBinding(conn, topic, self, result.previousPeer, result.displaced)
      else if (certified?.issued === true) this.broadcast(topic, { type: 'certificate', topic, peer: frame.peer, certificate: certified.certificate }, conn)
    }
  }

  private unsubscribe(conn: C, topic: string): void {
    const peer = this.leaveRoom(conn, topic)
    if (peer !== undefined) this.broadcast(topic, { type: 'peer-left', topic, peer })
  }

  /** Leaves one room; returns the peer id the connection had bound there. */
  private leaveRoom(conn: C, topic: string): string | undefined {
    const { peer } = this.rooms.leave(conn, topic)
    this.forgetIfEmpty(topic)
    if (peer !== undefined) this.certification.unbound(topic, peer)
    this.certification.left(conn, topic)
    return peer
  }

  /** Answers `renew`: the connection's certificate in the room, to it, and to the room when newly signed. */
  private renew(conn: C, topic: string): void {
    const peer = this.rooms.bindingOf(conn, topic)?.peer
    const renewed = peer === undefined ? `not bound in ${JSON.stringify(topic)}: subscribe with a peer id first` : this.certification.renew(conn, topic, peer, this.now())
    if (typeof renewed === 'string' || peer === undefined) {
      this.refuse(conn, peer === undefined ? 'not-subscribed' : 'unauthorized', String(renewed), topic)
      return
    }
    const frame: ServerFrame = { type: 'certificate', topic, peer, certificate: renewed.certificate }
    if (renewed.issued) this.broadcast(topic, frame)
    else this.sendFrame(conn, frame)
  }

  private forgetIfEmpty(topic: string): void {
    if (this.rooms.members(topic).size > 0) return
    this.roomQuota.removed(topic)
    this.cluster?.closed(topic)
  }

  private publish(conn: C, frame: PublishFrame, state: ConnectionState): void {
    const { topic, data } = frame
    if (!this.rooms.isMember(conn, topic)) {
      this.refuse(conn, 'not-subscribed', `not subscribed to ${JSON.stringify(topic)}: subscribe before publishing`, topic)
      return
    }
    const fields = isRecord(data) ? data : undefined
    // Stock y-webrtc clients never send `peer`; their announce says who they are.
    if (fields?.['type'] === 'announce' && isValidName(fields['from']) && state.proof.mayAnnounce(fields['from']) && this.rooms.bindingOf(conn, topic) === undefined) {
      this.announced(conn, topic, fields['from'])
    }
    relayPublish(this.rooms, this.metrics, conn, frame, this.cluster)
  }

  /** Binds an id named in a y-webrtc announce, within its subject's cap like any other binding. */
  private announced(conn: C, topic: string, peer: string): void {
    const claim = this.certification.claimOf(conn, topic)
    const overCap = claim === undefined ? 'not a member' : this.certification.capRefusal(topic, peer, claim)
    if (overCap !== undefined) {
      this.refuse(conn, 'too-many-identities', `cannot bind peer ${JSON.stringify(peer)}: ${overCap}`, topic)
      return
    }
    if (this.cluster?.pinnedElsewhere(topic, peer) === true) return
    const result = this.rooms.bind(conn, topic, peer, {})
    if (result.status !== 'bound') return
    const certified = this.certification.rebound(conn, topic, peer, result, this.now())
    this.announceBinding(conn, topic, this.peers.of(conn, peer, {}, certified?.certificate), result.previousPeer, result.displaced)
  }

  /** Tells a room about a new binding, and the connection it replaced that it lost its id. */
  private announceBinding(conn: C, topic: string, joined: RoomPeer, previousPeer: string | undefined, displaced: C | undefined): void {
    if (previousPeer !== undefined) this.broadcast(topic, { type: 'peer-left', topic, peer: previousPeer }, conn)
    if (displaced !== undefined) this.sendFrame(displaced, { type: 'peer-left', topic, peer: joined.peer })
    this.broadcast(topic, { type: 'peer-joined', topic, ...joined }, conn, displaced)
  }

  private broadcast(topic: string, frame: ServerFrame, ...except: ReadonlyArray<C | undefined>): void {
    const text = JSON.stringify(frame)
    for (const member of [...this.rooms.members(topic)]) {
      if (!except.includes(member)) member.send(text)
    }
    this.cluster?.broadcast(topic, frame, text)
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
