import { asPeerId, Roster, type PeerId } from '@tessera/core'
import type { PeerMeta, RoomPeer } from '@tessera/signaling/protocol'
import type { Channel } from '../framing/frames.ts'
import type { LinkRoute } from '../link/link-route.ts'
import { parseLinkSignal, type LinkSignal } from '../link/link-signal.ts'
import { PeerLink, type LinkCloseReason, type LinkEvents, type LinkLimits } from '../link/peer-link.ts'
import { SignalingClient } from '../signaling/signaling-client.ts'
import { ChannelTransport, type ChannelHost } from './channel-transport.ts'
import { BAN_MS, BUSY_COOLDOWN_MS, MESH_DEFAULTS, type MeshOptions } from './mesh-options.ts'
import { randomId } from './random-id.ts'

export interface MeshEvents {
  /** The signaling server refused this peer (for instance: a private room without a valid token). */
  refused?(code: string, reason: string): void
  linkClosed?(peer: PeerId, reason: LinkCloseReason, detail?: unknown): void
}

/**
 * A peer's place in the swarm's WebRTC mesh. It learns the room from the
 * signaling server, keeps between half of `maxPeers` and `maxPeers` links, and
 * replaces links that die. Channels (`channel(n)`) are core `Transport`s over
 * those links; with more peers than `maxPeers` the mesh is partial, and the
 * layers above gossip.
 */
export class Mesh implements ChannelHost {
  readonly self: PeerId
  readonly #options: MeshOptions
  readonly #limits: LinkLimits
  readonly #maxPeers: number
  readonly #signaling: SignalingClient
  /** Everyone the signaling server says is in the room. */
  readonly #directory = new Map<string, PeerMeta>()
  /**
   * Who the signaling server vouches for in this room (this peer included):
   * from which address, and as which subject (certificates checked against
   * the issuer its `welcome` announced).
   */
  readonly roster: Roster
  readonly #links = new Map<string, PeerLink>()
  readonly #busyUntil = new Map<string, number>()
  /** Peers that broke the framing protocol: no link with them until then. */
  readonly #bannedUntil = new Map<string, number>()
  /** Fault injection: peers whose link is cut until healed. */
  readonly #cut = new Set<string>()
  readonly #channels = new Map<Channel, ChannelTransport>()
  readonly #maintainTimer: ReturnType<typeof setInterval>
  #closed = false

  constructor(
    options: MeshOptions,
    private readonly events: MeshEvents = {},
  ) {
    this.#options = options
    this.self = options.identity.peer
    this.#limits = { ...MESH_DEFAULTS.limits, ...options.limits }
    this.#maxPeers = options.maxPeers ?? MESH_DEFAULTS.maxPeers
    this.roster = new Roster({ room: options.room })
    this.#signaling = new SignalingClient(
      {
        url: options.signaling,
        room: options.room,
        identity: options.identity,
        meta: options.meta,
        WebSocket: options.WebSocket,
        ...(options.token === undefined ? {} : { token: options.token }),
      },
      {
        issuer: (issuer) => this.roster.trustIssuer(issuer),
        roster: (peers, self) => {
          for (const { peer, meta } of peers) this.#directory.set(peer, meta ?? {})
          this.roster.replace([...peers, ...(self === undefined ? [] : [self])].map(rosterEntry))
          this.#maintain()
        },
        joined: (peer, meta, origin, certificate) => {
          this.#directory.set(peer, meta)
          this.roster.set(asPeerId(peer), { origin, certificate })
          this.#maintain()
        },
        certified: (peer, certificate) => this.roster.certify(asPeerId(peer), certificate),
        // A link outlives its peer's signaling connection (a server restart), so
        // this only stops new links; the heartbeat decides when a link is dead.
        left: (peer) => {
          this.#directory.delete(peer)
          this.roster.delete(asPeerId(peer))
        },
        signal: (from, data) => this.#onSignal(from, data),
        refused: (code, reason) => this.events.refused?.(code, reason),
        connected: () => {},
      },
    )
    this.#maintainTimer = setInterval(() => this.#maintain(), options.maintainMs ?? MESH_DEFAULTS.maintainMs)
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Resolves once the room is joined on the signaling server. */
  get ready(): Promise<void> {
    return this.#signaling.ready
  }

  /** Resolves when every signaling URL refused a connection before the room was joined (`SignalingClient.unreachable`). */
  get signalingUnreachable(): Promise<void> {
    return this.#signaling.unreachable
  }

  get signalingConnected(): boolean {
    return this.#signaling.connected
  }

  channel(channel: Channel): ChannelTransport {
    let transport = this.#channels.get(channel)
    if (transport === undefined) this.#channels.set(channel, (transport = new ChannelTransport(this, channel)))
    return transport
  }

  /** The path of the open link to `peer` (relayed through TURN, or direct), from the link's own ICE stats. */
  async linkRoute(peer: string): Promise<LinkRoute | undefined> {
    const link = this.#links.get(peer)
    return link?.isOpen === true ? link.route() : undefined
  }

  openPeers(): PeerId[] {
    const open: PeerId[] = []
    for (const [peer, link] of this.#links) if (link.isOpen && !this.#cut.has(peer)) open.push(asPeerId(peer))
    return open
  }

  /** Bytes queued on all links and not yet handed to a data channel. */
  queuedBytes(): number {
    let bytes = 0
    for (const link of this.#links.values()) bytes += link.queuedBytes
    return bytes
  }

  /** Peers the signaling server has told us about, linked or not. */
  knownPeers(): ReadonlyMap<string, PeerMeta> {
    return this.#directory
  }

  /** `payload` as an array of parts is handed over (see `SendQueue.enqueueOwned`); a single array is copied. */
  sendOn(channel: Channel, to: PeerId, payload: Uint8Array | readonly Uint8Array[]): boolean {
    const link = this.#links.get(to)
    if (link === undefined || this.#cut.has(to)) return false
    return link.send(channel, payload)
  }

  /**
   * Fault injection: from now on nothing passes between us and `peers` — the
   * link goes silent (as in a real partition, each side's heartbeat then drops
   * it) and no new link forms until `heal`.
   */
  cut(peers: Iterable<string>): void {
    for (const peer of peers) {
      this.#cut.add(peer)
      const link = this.#links.get(peer)
      if (link !== undefined) link.muted = true
    }
  }

  heal(peers: Iterable<string>): void {
    for (const peer of peers) {
      this.#cut.delete(peer)
      const link = this.#links.get(peer)
      if (link !== undefined) link.muted = false
    }
    this.#maintain()
  }

  /**
   * Drops the link to a peer that broke a protocol above the framing (hostile
   * updates, floods) and refuses it for `BAN_MS`: no link, no signals.
   */
  ban(peer: string, detail?: unknown): void {
    this.#bannedUntil.set(peer, Date.now() + BAN_MS)
    this.#links.get(peer)?.close('protocol', detail)
  }

  /** Whether `peer` is refused now (`ban`). */
  isBanned(peer: string): boolean {
    return this.#banned(peer)
  }

  /** Asks for a link to `peer` now, beyond `maxPeers` if need be (to fetch a blob only it holds). */
  connectTo(peer: string): void {
    if (!this.#links.has(peer) && this.#directory.has(peer) && !this.#cut.has(peer)) this.#start(peer)
  }

  /**
   * Waits (at most `maxMs`) until what was sent has left: a host that writes
   * its last records (a job signed done, a cancellation) just before it closes
   * would otherwise drop them with its links.
   */
  async drain(maxMs: number): Promise<void> {
    const until = Date.now() + maxMs
    // One turn first, so that updates waiting on a zero-delay timer are queued.
    await new Promise((resolve) => setTimeout(resolve, 0))
    while ([...this.#links.values()].some((link) => link.unsentBytes > 0) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#maintainTimer)
    this.#signaling.close()
    for (const link of [...this.#links.values()]) link.close('local')
    await new Promise((resolve) => setTimeout(resolve, 60))
  }

  #maintain(): void {
    if (this.#closed) return
    const target = Math.ceil(this.#maxPeers / 2)
    if (this.#links.size >= target) return
    const now = Date.now()
    const candidates = [...this.#directory.keys()].filter(
      (peer) => !this.#links.has(peer) && !this.#cut.has(peer) && !this.#banned(peer) && (this.#busyUntil.get(peer) ?? 0) <= now,
    )
    shuffle(candidates)
    for (const peer of candidates.slice(0, target - this.#links.size)) this.#start(peer)
  }

  #start(peer: string): void {
    if (this.#initiates(peer)) this.#link(peer, true, randomId())
    else {
      // Browsers hide their addresses behind mDNS names that Node cannot
      // resolve; the link comes up when the Node side makes the offer.
      this.#signaling.signal(peer, { type: 'invite', links: this.#links.size } satisfies LinkSignal)
      this.#busyUntil.set(peer, Date.now() + BUSY_COOLDOWN_MS / 4)
    }
  }

  #initiates(peer: string): boolean {
    const mine = this.#options.meta.kind
    const theirs = this.#directory.get(peer)?.kind
    if (mine === 'browser' && theirs === 'node') return false
    return true
  }

  #link(peer: string, initiator: boolean, session: string): PeerLink {
    const link = new PeerLink({
      peer,
      session,
      initiator,
      rtc: this.#options.rtc,
      iceServers: [...(this.#signaling.iceServers as RTCIceServer[]), ...(this.#options.iceServers ?? [])],
      ...(this.#options.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: this.#options.iceTransportPolicy }),
      limits: this.#limits,
      events: this.#linkEvents,
      links: this.#links.size,
    })
    this.#links.set(peer, link)
    return link
  }

  #onSignal(from: string, data: unknown): void {
    if (this.#closed || this.#cut.has(from) || this.#banned(from)) return
    const signal = parseLinkSignal(data)
    if (signal === undefined) return
    const existing = this.#links.get(from)
    switch (signal.type) {
      case 'invite':
        if (existing === undefined && this.#accepts(signal.links)) this.#link(from, true, randomId())
        return
      case 'offer': {
        if (existing !== undefined) {
          if (existing.session === signal.session) return
          // Both offered at once: the lower id's offer wins, on both sides alike.
          if (existing.initiator && !existing.isOpen && this.self < from) return
          if (existing.isOpen && existing.initiator) return
          this.#links.delete(from)
          existing.close('local')
        } else if (!this.#accepts(signal.links)) {
          this.#signaling.signal(from, { type: 'busy', session: signal.session } satisfies LinkSignal)
          return
        }
        if (!this.#directory.has(from)) this.#directory.set(from, {})
        void this.#link(from, false, signal.session).handleSignal(signal)
        return
      }
      case 'busy':
        if (existing?.session === signal.session) {
          this.#busyUntil.set(from, Date.now() + BUSY_COOLDOWN_MS)
          this.#links.delete(from)
          existing.close('local')
        }
        return
      default:
        if (existing?.session === signal.session) void existing.handleSignal(signal)
    }
  }

  #banned(peer: string): boolean {
    return (this.#bannedUntil.get(peer) ?? 0) > Date.now()
  }

  /** An isolated peer is always taken in, or a full swarm would strand it. */
  #accepts(theirLinks: number): boolean {
    return this.#links.size < this.#maxPeers || (theirLinks === 0 && this.#links.size < this.#maxPeers + 2)
  }

  readonly #linkEvents: LinkEvents = {
    open: (link) => {
      if (this.#links.get(link.peer) !== link) return
      for (const channel of this.#channels.values()) channel.emitPeer({ peer: asPeerId(link.peer), connected: true })
    },
    message: (link, channel, payload) => {
      if (this.#links.get(link.peer) !== link || this.#cut.has(link.peer)) return
      this.#channels.get(channel)?.emitMessage(asPeerId(link.peer), payload)
    },
    close: (link, reason, detail) => {
      if (this.#links.get(link.peer) !== link) return
      this.#links.delete(link.peer)
      if (reason === 'bye') this.#directory.delete(link.peer)
      if (reason === 'protocol') this.#bannedUntil.set(link.peer, Date.now() + BAN_MS)
      if (link.opened) {
        for (const channel of this.#channels.values()) channel.emitPeer({ peer: asPeerId(link.peer), connected: false })
      }
      this.events.linkClosed?.(asPeerId(link.peer), reason, detail)
      if (!this.#closed) setTimeout(() => this.#maintain(), 50 + Math.random() * 200)
    },
    signal: (link, signal) => {
      this.#signaling.signal(link.peer, signal)
    },
  }
}

function rosterEntry({ peer, origin, certificate }: RoomPeer): [PeerId, { origin: string | undefined; certificate: unknown }] {
  return [asPeerId(peer), { origin, certificate }]
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j] as T, items[i] as T]
  }
}
