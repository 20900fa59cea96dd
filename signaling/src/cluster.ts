/**
 * One room across signaling instances. Each hub keeps its own connections in
 * `Rooms`; this keeps a mirror of what the other instances hold (the peers
 * bound there, with their subjects, and the rooms open there), fed by the bus,
 * so that the hub's answers stay synchronous: `subscribed` lists peers
 * wherever they are, caps count identities and rooms across instances, and
 * frames for a peer on another instance are handed to that instance.
 *
 * The mirror is as fresh as the bus (a Redis round trip): two instances
 * admitting at the same instant may each see the other's admission too late,
 * so a cap can be passed by at most one per other instance for that moment.
 * Instances trust each other and Redis; peers they still do not trust.
 */
import type { PresenceSnapshot, RoomBus } from './bus/room-bus.ts'
import type { Certification } from './certification.ts'
import type { HubConnection } from './hub-connection.ts'
import type { SignalingMetrics } from './metrics.ts'
import type { RoomPeer, ServerFrame } from './protocol.ts'
import type { Rooms } from './rooms.ts'

interface RemotePeer {
  readonly instance: string
  readonly peer: RoomPeer
  readonly subject?: string
  readonly pinned: boolean
}

interface OwnPeer {
  readonly entry: Omit<RemotePeer, 'instance'>
  /** When it was bound here: of two binds crossing on the bus, the later keeps the id. */
  readonly at: number
}

/** What instances tell each other; `text` is a server frame, serialized once by its sender. */
type ClusterMessage =
  | {
      readonly t: 'frame'
      readonly topic: string
      readonly kind: ServerFrame['type']
      readonly text: string
      readonly subject?: string
      readonly pinned?: boolean
      /** When the id was bound (a peer-joined): of two binds crossing on the bus, the later keeps it. */
      readonly at?: number
    }
  | { readonly t: 'to'; readonly topic: string; readonly peer: string; readonly text: string }
  /** A room opened on the sender (`creator`: the address key that created it, '' when it joined one), or closed (null). */
  | { readonly t: 'room'; readonly topic: string; readonly creator: string | null }

const peerKey = (topic: string, peer: string): string => `p:${JSON.stringify([topic, peer])}`
const roomKey = (topic: string): string => `r:${topic}`

export class Cluster<C extends HubConnection> {
  /** Topic → peer id → where it is bound, for peers bound on other instances. */
  readonly #peers = new Map<string, Map<string, RemotePeer>>()
  /** Topic → instance → the address key that created it there ('' when it was joined). */
  readonly #rooms = new Map<string, Map<string, string>>()
  /** What this instance announced of its own bound peers, by presence key. */
  readonly #own = new Map<string, OwnPeer>()
  /** The rooms with members here, and who created each ('' when joined), to announce again after Redis returns. */
  readonly #ownRooms = new Map<string, string>()

  constructor(
    readonly bus: RoomBus,
    private readonly rooms: Rooms<C>,
    private readonly certification: Certification<C>,
    private readonly metrics: SignalingMetrics,
  ) {}

  async start(): Promise<void> {
    const snapshot = await this.bus.start({
      message: (from, body) => this.#message(from, body),
      gone: (instance) => this.#gone(instance),
      reconnected: (fresh) => this.#reconnected(fresh),
    })
    this.#load(snapshot)
  }

  /** Whether the topic has members on another instance. */
  hasRoom(topic: string): boolean {
    return this.#rooms.has(topic)
  }

  /** Rooms open elsewhere that connections from `address` created. */
  createdBy(address: string): number {
    let count = 0
    for (const byInstance of this.#rooms.values()) for (const creator of byInstance.values()) if (creator === address) count++
    return count
  }

  /** Rooms open on other instances only, which count against `maxTopics` like local ones. */
  elsewhereOnly(): number {
    let count = 0
    for (const topic of this.#rooms.keys()) if (this.rooms.members(topic).size === 0) count++
    return count
  }

  /** Whether `peer` is bound elsewhere by a room token naming it (a plain bind may not take it). */
  pinnedElsewhere(topic: string, peer: string): boolean {
    return this.#peers.get(topic)?.get(peer)?.pinned === true
  }

  /** Peers bound in `topic` on other instances. */
  peers(topic: string): RoomPeer[] {
    return [...(this.#peers.get(topic)?.values() ?? [])].map((remote) => remote.peer)
  }

  /** The topic got its first member here; `creator` is the address key when it did not exist anywhere. */
  opened(topic: string, creator: string): void {
    this.#ownRooms.set(topic, creator)
    this.bus.put(roomKey(topic), creator)
    this.#send({ t: 'room', topic, creator })
  }

  closed(topic: string): void {
    this.#ownRooms.delete(topic)
    this.bus.put(roomKey(topic), undefined)
    this.#send({ t: 'room', topic, creator: null })
  }

  /** A frame the hub broadcast to its members of `topic`: the other instances' members get it too. */
  broadcast(topic: string, frame: ServerFrame, text: string): void {
    if (frame.type === 'peer-joined' || frame.type === 'certificate') {
      const conn = this.rooms.connectionOf(topic, frame.peer)
      const binding = conn === undefined ? undefined : this.rooms.bindingOf(conn, topic)
      const key = peerKey(topic, frame.peer)
      const before = this.#own.get(key)
      if (conn === undefined || binding === undefined || (frame.type === 'certificate' && before === undefined)) return
      // The id is ours now: whoever held it elsewhere lets go when this arrives.
      this.#deleteRemote(topic, frame.peer, false)
      const subject = this.certification.claimOf(conn, topic)?.subject
      const peer = frame.type === 'peer-joined' ? withoutFrameFields(frame) : { ...(before?.entry.peer ?? { peer: frame.peer, meta: {} }), certificate: frame.certificate }
      const entry: Omit<RemotePeer, 'instance'> = { peer, pinned: binding.pinned, ...(subject === undefined ? {} : { subject }) }
      const own: OwnPeer = { entry, at: frame.type === 'peer-joined' ? Date.now() : (before?.at ?? 0) }
      this.#own.set(key, own)
      this.bus.put(key, JSON.stringify(entry))
      this.#announce(topic, own, frame.type, text)
      return
    }
    if (frame.type === 'peer-left') this.#forgetOwn(peerKey(topic, frame.peer))
    this.#send({ t: 'frame', topic, kind: frame.type, text })
  }

  /** Hands a directed frame to the instance where `peer` is bound; false when it is bound nowhere else. */
  relayTo(topic: string, peer: string, text: string): boolean {
    const remote = this.#peers.get(topic)?.get(peer)
    if (remote === undefined) return false
    this.#send({ t: 'to', topic, peer, text }, remote.instance)
    return true
  }

  /** An undirected publish: to the members elsewhere, when there are any. */
  relayAll(topic: string, text: string): void {
    if (this.#rooms.has(topic)) this.#send({ t: 'frame', topic, kind: 'publish', text })
  }

  #announce(topic: string, own: OwnPeer, kind: ServerFrame['type'], text: string): void {
    const { pinned, subject } = own.entry
    this.#send({ t: 'frame', topic, kind, text, pinned, at: own.at, ...(subject === undefined ? {} : { subject }) })
  }

  #forgetOwn(key: string): void {
    if (this.#own.delete(key)) this.bus.put(key, undefined)
  }

  #send(message: ClusterMessage, to?: string): void {
    this.bus.publish(JSON.stringify(message), to)
  }

  #message(from: string, body: string): void {
    let message: ClusterMessage
    try {
      message = JSON.parse(body) as ClusterMessage
    } catch {
      return
    }
    switch (message.t) {
      case 'frame':
        this.#frame(from, message)
        return
      case 'to': {
        const conn = this.rooms.connectionOf(message.topic, message.peer)
        if (conn?.send(message.text) === true) this.metrics.messagesRelayed += 1
        return
      }
      case 'room':
        this.#setRoom(message.topic, from, message.creator)
        return
    }
  }

  #frame(from: string, message: Extract<ClusterMessage, { t: 'frame' }>): void {
    const { topic, kind, text } = message
    let except: C | undefined
    if (kind === 'peer-joined' || kind === 'peer-left' || kind === 'certificate') {
      const frame = JSON.parse(text) as Extract<ServerFrame, { type: 'peer-joined' | 'peer-left' | 'certificate' }>
      const held = this.#peers.get(topic)?.get(frame.peer)
      if (frame.type === 'peer-joined') {
        const mine = this.#own.get(peerKey(topic, frame.peer))
        const theirs = message.at ?? 0
        if (mine !== undefined && (mine.at > theirs || (mine.at === theirs && this.bus.instance > from))) {
          // Bound here and there at once: the later bind keeps the id on every instance, so say it again.
          this.#announce(topic, mine, 'peer-joined', JSON.stringify({ type: 'peer-joined', topic, ...mine.entry.peer } satisfies ServerFrame))
          return
        }
        except = this.#displaceLocal(topic, frame.peer)
        this.#setRemote(topic, frame.peer, { instance: from, peer: withoutFrameFields(frame), pinned: message.pinned === true, ...(message.subject === undefined ? {} : { subject: message.subject }) })
      } else if (held?.instance !== from) {
        // Stale: the id moved to another connection since; its peers must not hear it left.
        return
      } else if (frame.type === 'peer-left') {
        this.#deleteRemote(topic, frame.peer, true)
      } else {
        this.#setRemote(topic, frame.peer, { ...held, peer: { ...held.peer, certificate: frame.certificate } })
      }
    }
    for (const member of [...this.rooms.members(topic)]) if (member !== except) member.send(text)
  }

  /** A peer id bound here was bound on another instance: the local connection loses it, as within one hub. */
  #displaceLocal(topic: string, peer: string): C | undefined {
    const conn = this.rooms.connectionOf(topic, peer)
    if (conn === undefined) return undefined
    this.rooms.unbind(conn, topic)
    this.certification.displaced(conn, topic)
    this.#forgetOwn(peerKey(topic, peer))
    conn.send(JSON.stringify({ type: 'peer-left', topic, peer } satisfies ServerFrame))
    return conn
  }

  #setRemote(topic: string, peer: string, remote: RemotePeer): void {
    let peers = this.#peers.get(topic)
    if (peers === undefined) this.#peers.set(topic, (peers = new Map()))
    peers.set(peer, remote)
    if (remote.subject !== undefined) this.certification.counted(topic, peer, remote.subject)
  }

  #deleteRemote(topic: string, peer: string, release: boolean): void {
    const peers = this.#peers.get(topic)
    if (peers?.delete(peer) !== true) return
    if (peers.size === 0) this.#peers.delete(topic)
    if (release) this.certification.unbound(topic, peer)
  }

  #setRoom(topic: string, instance: string, creator: string | null): void {
    let byInstance = this.#rooms.get(topic)
    if (creator === null) {
      byInstance?.delete(instance)
      if (byInstance?.size === 0) this.#rooms.delete(topic)
      return
    }
    if (byInstance === undefined) this.#rooms.set(topic, (byInstance = new Map()))
    byInstance.set(instance, creator)
  }

  /** An instance left or died: its peers left every room, as its connections did. */
  #gone(instance: string): void {
    for (const [topic, peers] of [...this.#peers]) {
      for (const [peer, remote] of [...peers]) {
        if (remote.instance !== instance) continue
        this.#deleteRemote(topic, peer, true)
        const text = JSON.stringify({ type: 'peer-left', topic, peer } satisfies ServerFrame)
        for (const member of [...this.rooms.members(topic)]) member.send(text)
      }
    }
    for (const topic of [...this.#rooms.keys()]) this.#setRoom(topic, instance, null)
  }

  /** Redis came back, maybe empty, and the others may have counted this instance dead: store and say it all again. */
  #reconnected(snapshot: PresenceSnapshot): void {
    this.#load(snapshot)
    for (const [topic, creator] of this.#ownRooms) {
      this.bus.put(roomKey(topic), creator)
      this.#send({ t: 'room', topic, creator })
    }
    for (const [key, own] of this.#own) {
      const [topic] = JSON.parse(key.slice(2)) as [string, string]
      this.bus.put(key, JSON.stringify(own.entry))
      this.#announce(topic, own, 'peer-joined', JSON.stringify({ type: 'peer-joined', topic, ...own.entry.peer } satisfies ServerFrame))
    }
  }

  #load(snapshot: PresenceSnapshot): void {
    for (const [instance, entries] of snapshot) {
      for (const [key, value] of entries) {
        try {
          if (key.startsWith('r:')) this.#setRoom(key.slice(2), instance, value)
          else if (key.startsWith('p:')) {
            const [topic, peer] = JSON.parse(key.slice(2)) as [string, string]
            const stored = JSON.parse(value) as Omit<RemotePeer, 'instance'>
            this.#setRemote(topic, peer, { ...stored, instance })
          }
        } catch {
          // An entry this version cannot read is skipped, not fatal.
        }
      }
    }
  }
}

function withoutFrameFields(frame: Extract<ServerFrame, { type: 'peer-joined' }>): RoomPeer {
  const { type: _type, topic: _topic, ...peer } = frame
  return peer
}
