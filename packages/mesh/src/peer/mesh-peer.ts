import * as Y from 'yjs'
import {
  DEFAULT_MAX_BLOB_BYTES,
  DocReplicator,
  SWARM_DOC_GUID,
  SwarmDoc,
  ValueStore,
  systemClock,
  type Address,
  type BlobStore,
  Identity,
  type PeerId,
  type PeerPort,
  REPLICATION_LIMITS,
  type ReplicationLimits,
  type Roster,
} from '@tessera/core'
import { BlobExchange } from '../blobs/blob-exchange.ts'
import { MeshBlobStore } from '../blobs/mesh-blob-store.ts'
import type { LinkLimits, RtcImplementation } from '../link/peer-link.ts'
import { CHANNELS } from '../mesh/channels.ts'
import { Mesh, type MeshEvents } from '../mesh/mesh.ts'
import { iceOptionsOf, type IceOptions } from '../mesh/mesh-options.ts'
import { Presence } from '../presence/presence.ts'
import type { WebSocketConstructor } from '../signaling/websocket.ts'
import { DocPersistence } from '../storage/doc-persistence.ts'
import type { DocStorage } from '../storage/doc-storage.ts'
import { TESSERA_VERSION } from '../version.ts'
import { FirstSync } from './first-sync.ts'
import { joinSwarm, type JoinOptions, type JoinReport } from './join-swarm.ts'

/** How long closing waits for what was sent to leave. */
const CLOSE_DRAIN_MS = 1_000

export interface MeshPeerOptions extends IceOptions {
  readonly signaling: string | readonly string[]
  readonly room: string
  readonly token?: string
  /** The key pair the peer's id names and its records are signed with; a new random one when omitted. */
  readonly identity?: Identity
  readonly kind: 'browser' | 'node'
  readonly workers?: number
  readonly maxPeers?: number
  readonly maintainMs?: number
  readonly limits?: Partial<LinkLimits>
  readonly rtc: RtcImplementation
  readonly WebSocket: WebSocketConstructor
  /** Where documents persist; none keeps them in memory only. */
  readonly docStorage?: DocStorage
  /** This peer's own blobs. */
  readonly blobStorage: BlobStore
  readonly maxBlobBytes?: number
  /** Anti-entropy period of the document replicator. */
  readonly syncIntervalMs?: number
  readonly presenceIntervalMs?: number
  readonly events?: MeshEvents
  /** A peer caught sending blob bytes that do not match their address. */
  readonly onBadPeer?: (peer: PeerId, error: Error) => void
  /** This peer sent a blob to a peer that asked for it. */
  readonly onServed?: (peer: PeerId, address: Address, bytes: number) => void
  /** A peer dropped and banned for what it sent: broken framing, or malformed, oversized or flooding document traffic. */
  readonly onBannedPeer?: (peer: PeerId, error: unknown) => void
  /** Caps on what one peer can make the document replicator do. */
  readonly replicationLimits?: Partial<ReplicationLimits>
}

/**
 * One peer of the swarm, put together: the mesh, the swarm document and any job
 * documents replicated over it (and persisted, when storage is given), the
 * blob store that fetches from peers, and presence.
 */
export class MeshPeer implements PeerPort {
  readonly #docs = new Map<string, Y.Doc>()
  #joined: JoinReport | undefined

  private constructor(
    readonly identity: Identity,
    readonly mesh: Mesh,
    readonly swarm: SwarmDoc,
    readonly blobs: MeshBlobStore,
    readonly values: ValueStore,
    readonly presence: Presence,
    readonly exchange: BlobExchange,
    private readonly replicator: DocReplicator,
    private readonly persistence: DocPersistence | undefined,
    private readonly firstSync: FirstSync,
    private readonly signaling: { readonly url: string | readonly string[]; readonly room: string },
  ) {
    this.#docs.set(swarm.doc.guid, swarm.doc)
  }

  /** Who the signaling server vouches for in the room (admission counts quotas by it). */
  get roster(): Roster {
    return this.mesh.roster
  }

  /** Loads persisted documents first, so a reloaded tab rejoins with its data. */
  static async start(options: MeshPeerOptions): Promise<MeshPeer> {
    const swarm = new SwarmDoc(new Y.Doc({ guid: SWARM_DOC_GUID }))
    const persistence = options.docStorage === undefined ? undefined : new DocPersistence(options.docStorage)
    await persistence?.open(swarm.doc)
    const identity = options.identity ?? Identity.generate()
    const mesh = new Mesh(
      {
        signaling: options.signaling,
        room: options.room,
        meta: { kind: options.kind, version: TESSERA_VERSION },
        rtc: options.rtc,
        WebSocket: options.WebSocket,
        ...(options.token === undefined ? {} : { token: options.token }),
        identity,
        ...(options.maxPeers === undefined ? {} : { maxPeers: options.maxPeers }),
        ...(options.maintainMs === undefined ? {} : { maintainMs: options.maintainMs }),
        ...iceOptionsOf(options),
        limits: {
          ...options.limits,
          // The replicator refuses more anyway: refuse it at the first chunk, before any allocation.
          maxChannelMessageBytes: { [CHANNELS.docs]: (options.replicationLimits?.maxStructBytes ?? REPLICATION_LIMITS.maxStructBytes) + 4096 },
        },
      },
      {
        ...options.events,
        linkClosed: (peer, reason, detail) => {
          options.events?.linkClosed?.(peer, reason, detail)
          if (reason === 'protocol') options.onBannedPeer?.(peer, detail)
        },
      },
    )
    const maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES
    const local = options.blobStorage
    const exchange = new BlobExchange({
      transport: mesh.channel(CHANNELS.blobs),
      serve: (address) => local.get(address, { readOnly: true }),
      maxBlobBytes,
      ...(options.onBadPeer === undefined ? {} : { onBadPeer: options.onBadPeer }),
      ...(options.onServed === undefined ? {} : { onServed: options.onServed }),
    })
    const blobs = new MeshBlobStore({
      local,
      exchange,
      swarm,
      self: mesh.self,
      linkedPeers: () => mesh.openPeers(),
      connectTo: (peer) => mesh.connectTo(peer),
      maxBlobBytes,
    })
    const firstSync = new FirstSync(swarm.doc.guid)
    const replicator = new DocReplicator({
      transport: mesh.channel(CHANNELS.docs),
      clock: systemClock,
      // Beyond maxPeers not everyone is a neighbour: updates must gossip.
      relay: true,
      ...(options.syncIntervalMs === undefined ? {} : { syncIntervalMs: options.syncIntervalMs }),
      ...(options.replicationLimits === undefined ? {} : { limits: options.replicationLimits }),
      // Honest peers never send what the replicator reports: drop the link and ban the sender.
      onPeerError: (peer, error) => mesh.ban(peer, error),
      onSynced: (peer, guid) => firstSync.synced(peer, guid),
    })
    replicator.add(swarm.doc)
    const presence = new Presence(
      mesh.channel(CHANNELS.presence),
      { kind: options.kind, workers: options.workers ?? 0, load: 0, version: TESSERA_VERSION },
      options.presenceIntervalMs === undefined ? {} : { intervalMs: options.presenceIntervalMs },
    )
    // Admins are those the room's signaling server certifies as such: the roster holds its issuers.
    swarm.recognizeAdmins(mesh.roster)
    return new MeshPeer(identity, mesh, swarm, blobs, new ValueStore(swarm, blobs), presence, exchange, replicator, persistence, firstSync, {
      url: options.signaling,
      room: options.room,
    })
  }

  /**
   * Waits (bounded) until the signaling server has let this peer into its
   * room and, if the room holds other peers, until one of them has sent its
   * swarm document: `connect()` calls it, so that its first call sees the
   * swarm's result cache. Throws `SignalingUnreachableError` naming the URL
   * when the server does not answer in time, unless `offline` is asked, and
   * `AccessDeniedError` when it refuses. A peer that cannot join is closed
   * before the error goes up, so nothing of it is left running.
   */
  async join(options: JoinOptions = {}): Promise<JoinReport> {
    try {
      this.#joined = await joinSwarm(
        {
          ...this.signaling,
          ready: this.mesh.ready,
          unreachable: this.mesh.signalingUnreachable,
          peersInRoom: () => this.mesh.knownPeers().size,
          firstSync: (timeoutMs) => this.firstSync.first(timeoutMs),
        },
        options,
      )
    } catch (error) {
      await this.close()
      throw error
    }
    return this.#joined
  }

  /** What `join()` found: how many peers, and whose swarm document arrived; undefined before it returns. */
  get joined(): JoinReport | undefined {
    return this.#joined
  }

  get id(): PeerId {
    return this.mesh.self
  }

  ban(peer: PeerId, reason: string): void {
    this.mesh.ban(peer, new Error(reason))
  }

  get closed(): boolean {
    return this.mesh.closed
  }

  /** Opens (loading what was persisted) and replicates a document, such as a job's. */
  async openDoc(guid: string): Promise<Y.Doc> {
    const open = this.#docs.get(guid)
    if (open !== undefined) return open
    const doc = new Y.Doc({ guid })
    this.#docs.set(guid, doc)
    await this.persistence?.open(doc)
    this.replicator.add(doc)
    return doc
  }

  /** Stops replicating a document and forgets its stored copy (a dropped job). */
  async dropDoc(guid: string): Promise<void> {
    if (guid === SWARM_DOC_GUID) throw new Error('the swarm document cannot be dropped')
    this.replicator.remove(guid)
    await this.persistence?.forget(guid)
    this.#docs.get(guid)?.destroy()
    this.#docs.delete(guid)
  }

  /** Writes out everything not yet persisted (call it on `pagehide`). */
  async flush(): Promise<void> {
    await this.persistence?.flush()
  }

  async close(): Promise<void> {
    // What this peer wrote last (a job signed done, a cancellation) leaves before the links close.
    await this.mesh.drain(CLOSE_DRAIN_MS)
    this.presence.close()
    this.exchange.close()
    this.replicator.close()
    await this.persistence?.closeAll()
    await this.mesh.close()
  }
}
