/**
 * Room membership and peer bindings, with no sockets: `C` is whatever identifies
 * a connection (the server uses its connection objects, tests use strings).
 *
 * A connection is a *member* of a topic (it receives broadcasts there) and may
 * also be *bound* to one peer id in it (frames addressed to that id reach it).
 * A peer id is bound to at most one connection per topic; binding it from a
 * second connection moves it there, because that is what a peer reconnecting
 * after a network blip looks like while its old socket is not yet known dead.
 */
import type { PeerMeta } from './protocol.ts'

export interface Binding<C> {
  readonly conn: C
  readonly peer: string
  readonly meta: PeerMeta
  /**
   * Made with a room token that names this peer id: only another such token
   * may move the id to a different connection, so a token holder's identity
   * cannot be taken over by someone merely in the room.
   */
  readonly pinned: boolean
}

export type JoinResult = 'joined' | 'already-member' | 'too-many-topics'

export type BindResult<C> =
  | { readonly status: 'not-member' }
  /** The id is pinned to another connection and this bind is not pinned. */
  | { readonly status: 'conflict' }
  | { readonly status: 'unchanged' }
  | {
      readonly status: 'bound'
      /** This connection's previous peer id in the topic, now unbound. */
      readonly previousPeer?: string
      /** The connection that held the id before, now a member without a binding. */
      readonly displaced?: C
    }

export interface LeaveResult {
  readonly wasMember: boolean
  /** The peer id the connection was bound to there, if any. */
  readonly peer?: string
}

interface Room<C> {
  readonly members: Set<C>
  readonly byPeer: Map<string, Binding<C>>
  readonly byConn: Map<C, Binding<C>>
}

const NO_MEMBERS: ReadonlySet<never> = new Set()

export class Rooms<C> {
  private readonly rooms = new Map<string, Room<C>>()
  private readonly topicsByConn = new Map<C, Set<string>>()

  /**
   * `maxTopics` caps how many topics exist at once, so memory stays bounded;
   * `elsewhere` counts those that exist only on other instances of a cluster.
   */
  constructor(
    private readonly maxTopics = Number.POSITIVE_INFINITY,
    private readonly elsewhere: () => number = () => 0,
  ) {}

  /** Topics with at least one member. */
  get topicCount(): number {
    return this.rooms.size
  }

  join(conn: C, topic: string): JoinResult {
    let room = this.rooms.get(topic)
    if (room?.members.has(conn)) return 'already-member'
    if (room === undefined) {
      if (this.rooms.size + this.elsewhere() >= this.maxTopics) return 'too-many-topics'
      room = { members: new Set(), byPeer: new Map(), byConn: new Map() }
      this.rooms.set(topic, room)
    }
    room.members.add(conn)
    let topics = this.topicsByConn.get(conn)
    if (topics === undefined) {
      topics = new Set()
      this.topicsByConn.set(conn, topics)
    }
    topics.add(topic)
    return 'joined'
  }

  bind(conn: C, topic: string, peer: string, meta: PeerMeta, pinned = false): BindResult<C> {
    const room = this.rooms.get(topic)
    if (room === undefined || !room.members.has(conn)) return { status: 'not-member' }
    const own = room.byConn.get(conn)
    const holder = room.byPeer.get(peer)
    if (own !== undefined && own.peer === peer) {
      // Same id again (a re-subscribe): keep it, refreshing meta, but never drop a pin.
      const refreshed: Binding<C> = { ...own, meta, pinned: own.pinned || pinned }
      room.byPeer.set(peer, refreshed)
      room.byConn.set(conn, refreshed)
      return { status: 'unchanged' }
    }
    if (!pinned && ((holder?.pinned ?? false) || (own?.pinned ?? false))) return { status: 'conflict' }

    if (own !== undefined) room.byPeer.delete(own.peer)
    if (holder !== undefined) room.byConn.delete(holder.conn)
    const binding: Binding<C> = { conn, peer, meta, pinned }
    room.byPeer.set(peer, binding)
    room.byConn.set(conn, binding)
    return {
      status: 'bound',
      ...(own === undefined ? {} : { previousPeer: own.peer }),
      ...(holder === undefined ? {} : { displaced: holder.conn }),
    }
  }

  /** Drops the connection's binding in the topic (its id was bound elsewhere); it stays a member. */
  unbind(conn: C, topic: string): void {
    const room = this.rooms.get(topic)
    const binding = room?.byConn.get(conn)
    if (room === undefined || binding === undefined) return
    room.byConn.delete(conn)
    room.byPeer.delete(binding.peer)
  }

  leave(conn: C, topic: string): LeaveResult {
    const room = this.rooms.get(topic)
    if (room === undefined || !room.members.delete(conn)) return { wasMember: false }
    const binding = room.byConn.get(conn)
    if (binding !== undefined) {
      room.byConn.delete(conn)
      room.byPeer.delete(binding.peer)
    }
    if (room.members.size === 0) this.rooms.delete(topic)
    const topics = this.topicsByConn.get(conn)
    topics?.delete(topic)
    if (topics?.size === 0) this.topicsByConn.delete(conn)
    return { wasMember: true, ...(binding === undefined ? {} : { peer: binding.peer }) }
  }

  /** Removes the connection everywhere, reporting each topic it was in. */
  leaveAll(conn: C): Array<{ readonly topic: string; readonly peer?: string }> {
    const left: Array<{ readonly topic: string; readonly peer?: string }> = []
    for (const topic of [...(this.topicsByConn.get(conn) ?? [])]) {
      const { peer } = this.leave(conn, topic)
      left.push({ topic, ...(peer === undefined ? {} : { peer }) })
    }
    return left
  }

  isMember(conn: C, topic: string): boolean {
    return this.rooms.get(topic)?.members.has(conn) ?? false
  }

  topicsOf(conn: C): ReadonlySet<string> {
    return this.topicsByConn.get(conn) ?? NO_MEMBERS
  }

  members(topic: string): ReadonlySet<C> {
    return this.rooms.get(topic)?.members ?? NO_MEMBERS
  }

  bindingOf(conn: C, topic: string): Binding<C> | undefined {
    return this.rooms.get(topic)?.byConn.get(conn)
  }

  connectionOf(topic: string, peer: string): C | undefined {
    return this.rooms.get(topic)?.byPeer.get(peer)?.conn
  }

  bindings(topic: string): Iterable<Binding<C>> {
    return this.rooms.get(topic)?.byPeer.values() ?? []
  }

  /** Peers bound in the topic, optionally leaving one connection out. */
  peers(topic: string, except?: C): Array<{ readonly peer: string; readonly meta: PeerMeta }> {
    const room = this.rooms.get(topic)
    if (room === undefined) return []
    const peers: Array<{ readonly peer: string; readonly meta: PeerMeta }> = []
    for (const binding of room.byPeer.values()) {
      if (binding.conn !== except) peers.push({ peer: binding.peer, meta: binding.meta })
    }
    return peers
  }
}
