import * as Y from 'yjs'
import type { PeerId } from '../ids.ts'
import type { Transport, Unsubscribe } from '../interfaces/transport.ts'
import type { Clock } from '../clock.ts'
import { decodeMessage, encodeMessage, type ReplicationMessage } from './protocol.ts'

export interface DocReplicatorOptions {
  readonly transport: Transport
  readonly clock: Clock
  /** Anti-entropy: every this often, ask one peer for whatever we missed. 0 turns it off. */
  readonly syncIntervalMs?: number
  /**
   * At most this many sync requests per document are awaiting a reply at once.
   * A peer that joins a busy room would otherwise get the whole document back
   * from every neighbour; anti-entropy reaches the rest later.
   */
  readonly maxPendingSyncs?: number
  /**
   * Updates for a document this peer has not opened yet (a job announced a
   * moment later) are held, up to these bounds, and applied when it opens.
   */
  readonly maxUnknownDocs?: number
  readonly maxUnknownBytes?: number
  /**
   * Updates that arrive within this window are merged and applied as one
   * transaction: each transaction has a fixed cost in Yjs, and busy swarms send
   * many small updates. 0 applies each at once. Default 20 ms.
   */
  readonly applyBatchMs?: number
  /** Pass updates learned from one peer on to the others (for partial meshes). */
  readonly relay?: boolean
  readonly random?: () => number
  /** A malformed message or update from a peer: reported here, never thrown. */
  readonly onPeerError?: (peer: PeerId, error: unknown) => void
}

/**
 * Keeps any number of Y.Docs in sync with every peer of a transport. Updates go
 * out as they happen; a new peer, and one random peer every `syncIntervalMs`, get
 * a state-vector exchange, so that lost or reordered messages heal by themselves.
 */
export class DocReplicator {
  readonly #docs = new Map<string, { doc: Y.Doc; off: () => void }>()
  readonly #unsubscribe: Unsubscribe[] = []
  /** Per document: peers asked for a sync that have not answered yet, and when. */
  readonly #pending = new Map<string, Map<PeerId, number>>()
  readonly #unknown = new Map<string, { updates: Uint8Array[]; bytes: number }>()
  /** Received updates waiting for the apply window to close, per document, with their senders. */
  readonly #inbox = new Map<string, Array<{ from: PeerId; update: Uint8Array }>>()
  /**
   * Local updates not yet sent, in the order they were made, across documents:
   * a value written before the report that names it must also leave first.
   * Consecutive updates to one document are merged into one message.
   */
  #outbox: Array<{ guid: string; updates: Uint8Array[] }> = []
  #timer: unknown
  #closed = false

  get #applyBatchMs(): number {
    return this.options.applyBatchMs ?? 20
  }

  constructor(private readonly options: DocReplicatorOptions) {
    const { transport } = options
    this.#unsubscribe.push(
      transport.onMessage((from, bytes) => this.#receive(from, bytes)),
      transport.onPeerChange(({ peer, connected }) => {
        for (const guid of this.#docs.keys()) {
          if (connected) this.#requestSync(peer, guid)
          else this.#pending.get(guid)?.delete(peer)
        }
      }),
    )
    this.#scheduleSync()
  }

  add(doc: Y.Doc): void {
    if (this.#docs.has(doc.guid)) return
    const onUpdate = (update: Uint8Array, origin: unknown): void => {
      if (origin !== this) this.#queue(doc.guid, update)
    }
    doc.on('update', onUpdate)
    this.#docs.set(doc.guid, { doc, off: () => doc.off('update', onUpdate) })
    const held = this.#unknown.get(doc.guid)
    this.#unknown.delete(doc.guid)
    if (held !== undefined && held.updates.length > 0) {
      try {
        Y.applyUpdate(doc, Y.mergeUpdates(held.updates), this)
      } catch {
        // Held updates are untrusted; anti-entropy brings whatever was lost.
      }
    }
    for (const peer of this.#randomPeers(this.options.maxPendingSyncs ?? 2)) this.#requestSync(peer, doc.guid)
  }

  /** Stops replicating a document (a finished job), without touching it. */
  remove(guid: string): void {
    this.#docs.get(guid)?.off()
    this.#docs.delete(guid)
    this.#pending.delete(guid)
  }

  has(guid: string): boolean {
    return this.#docs.has(guid)
  }

  close(): void {
    this.#closed = true
    this.options.clock.clearTimeout(this.#timer)
    for (const off of this.#unsubscribe) off()
    for (const guid of [...this.#docs.keys()]) this.remove(guid)
  }

  #receive(from: PeerId, bytes: Uint8Array): void {
    let message: ReplicationMessage
    try {
      message = decodeMessage(bytes)
    } catch (error) {
      this.options.onPeerError?.(from, error)
      return
    }
    const entry = this.#docs.get(message.doc)
    if (entry === undefined) {
      if (message.type === 'sync-request' || message.type === 'repair-request') this.#send(from, { type: 'sync-unknown', doc: message.doc })
      else if (message.type !== 'sync-unknown') this.#hold(message.doc, message.update)
      return
    }
    if (message.type === 'sync-unknown') {
      this.#pending.get(message.doc)?.delete(from)
      const others = this.#randomPeers(1, from)
      for (const peer of others) this.#requestSync(peer, message.doc)
      return
    }
    try {
      if (message.type === 'sync-request') {
        const update = Y.encodeStateAsUpdate(entry.doc, message.stateVector)
        this.#send(from, { type: 'sync-reply', doc: message.doc, update })
        return
      }
      if (message.type === 'repair-request') {
        // Everyone else's changes count as known, so only the wanted clients' are sent.
        const target = Y.decodeStateVector(Y.encodeStateVector(entry.doc))
        for (const [client, clock] of Y.decodeStateVector(message.wanted)) target.set(client, clock)
        const update = Y.encodeStateAsUpdate(entry.doc, Y.encodeStateVector(target))
        this.#send(from, { type: 'sync-reply', doc: message.doc, update })
        return
      }
      if (message.type === 'sync-reply') this.#pending.get(message.doc)?.delete(from)
      if (this.#applyBatchMs <= 0 || this.options.relay === true) {
        // Only fresh changes gossip on. A sync reply can be a whole document:
        // the relay's other neighbours have it already, or ask for it themselves.
        this.#apply(entry.doc, [{ from, update: message.update }], message.type === 'update')
        return
      }
      const inbox = this.#inbox.get(message.doc)
      if (inbox !== undefined) {
        inbox.push({ from, update: message.update })
        return
      }
      this.#inbox.set(message.doc, [{ from, update: message.update }])
      this.options.clock.setTimeout(() => {
        const batch = this.#inbox.get(message.doc) ?? []
        this.#inbox.delete(message.doc)
        const target = this.#docs.get(message.doc)
        if (target !== undefined && !this.#closed) this.#apply(target.doc, batch)
      }, this.#applyBatchMs)
    } catch (error) {
      this.options.onPeerError?.(from, error)
    }
  }

  #apply(doc: Y.Doc, batch: ReadonlyArray<{ from: PeerId; update: Uint8Array }>, relayable = false): void {
    const last = batch[batch.length - 1]
    if (last === undefined) return
    if (batch.length > 1) {
      try {
        Y.applyUpdate(doc, Y.mergeUpdates(batch.map((b) => b.update)), this)
        this.#repairIfParked(last.from, doc.guid, doc)
        return
      } catch {
        // One bad update spoils the merge: apply them one by one to find whose it was.
      }
    }
    for (const { from, update } of batch) {
      try {
        const before = this.options.relay === true && relayable ? Y.encodeStateVector(doc) : undefined
        Y.applyUpdate(doc, update, this)
        // Parked structs mean an earlier message was lost: ask the peer that sent this
        // one, which has what is missing, instead of waiting for anti-entropy.
        this.#repairIfParked(from, doc.guid, doc)
        if (before !== undefined && !sameBytes(before, Y.encodeStateVector(doc))) {
          this.#broadcast({ type: 'update', doc: doc.guid, update }, from)
        }
      } catch (error) {
        this.options.onPeerError?.(from, error)
      }
    }
  }

  // Several transactions in one turn (a claim, a renewal, a report) reach each
  // peer in as few messages as their order allows, so receivers apply less often.
  #queue(guid: string, update: Uint8Array): void {
    const last = this.#outbox[this.#outbox.length - 1]
    if (last !== undefined && last.guid === guid) {
      last.updates.push(update)
      return
    }
    if (this.#outbox.length === 0) this.options.clock.setTimeout(() => this.#flushOutbox(), 0)
    this.#outbox.push({ guid, updates: [update] })
  }

  #flushOutbox(): void {
    const segments = this.#outbox
    this.#outbox = []
    for (const { guid, updates } of segments) {
      if (!this.#docs.has(guid)) continue
      const update = updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates)
      this.#broadcast({ type: 'update', doc: guid, update })
    }
  }

  #repairIfParked(peer: PeerId, guid: string, doc: Y.Doc): void {
    const parked = doc.store.pendingStructs
    if (parked === null) {
      if (doc.store.pendingDs !== null) this.#requestSync(peer, guid)
      return
    }
    const wanted = new Map<number, number>()
    for (const client of parked.missing.keys()) wanted.set(client, Y.getState(doc.store, client))
    this.#request(peer, guid, { type: 'repair-request', doc: guid, wanted: Y.encodeStateVector(wanted) })
  }

  #requestSync(peer: PeerId, guid: string, bypassCap = false): void {
    const entry = this.#docs.get(guid)
    if (entry === undefined) return
    this.#request(peer, guid, { type: 'sync-request', doc: guid, stateVector: Y.encodeStateVector(entry.doc) }, bypassCap)
  }

  #request(peer: PeerId, guid: string, message: ReplicationMessage, bypassCap = false): void {
    const entry = this.#docs.get(guid)
    if (entry === undefined) return
    const now = this.options.clock.now()
    let pending = this.#pending.get(guid)
    if (pending === undefined) this.#pending.set(guid, (pending = new Map()))
    // A request still unanswered at the next round was lost: it stops counting,
    // or two lost requests would silence this document until they expired.
    const lostAfter = this.options.syncIntervalMs || 2_000
    for (const [asked, at] of pending) if (now - at > lostAfter) pending.delete(asked)
    if (pending.has(peer) || (!bypassCap && pending.size >= (this.options.maxPendingSyncs ?? 2))) return
    pending.set(peer, now)
    this.#send(peer, message)
    if (message.type === 'sync-request') this.#retryIfUnanswered(peer, guid, now)
  }

  // One lost request or reply would otherwise cost a whole anti-entropy round,
  // and a peer that missed a job's announcement would sit idle all that time.
  #retryIfUnanswered(peer: PeerId, guid: string, sentAt: number): void {
    this.options.clock.setTimeout(() => {
      const pending = this.#pending.get(guid)
      if (this.#closed || pending?.get(peer) !== sentAt) return
      pending.delete(peer)
      for (const other of this.#randomPeers(1, peer)) this.#requestSync(other, guid, true)
    }, (this.options.syncIntervalMs || 2_000) / 2)
  }

  #scheduleSync(): void {
    const interval = this.options.syncIntervalMs ?? 2_000
    if (interval <= 0 || this.#closed) return
    this.#timer = this.options.clock.setTimeout(() => {
      // The periodic round is the backstop for every other loss, so the cap on
      // requests in flight (which tames join storms) never holds it back.
      for (const peer of this.#randomPeers(1)) for (const guid of this.#docs.keys()) this.#requestSync(peer, guid, true)
      this.#scheduleSync()
    }, interval)
  }

  #hold(guid: string, update: Uint8Array): void {
    let held = this.#unknown.get(guid)
    if (held === undefined) {
      if (this.#unknown.size >= (this.options.maxUnknownDocs ?? 8)) return
      this.#unknown.set(guid, (held = { updates: [], bytes: 0 }))
    }
    if (held.bytes + update.byteLength > (this.options.maxUnknownBytes ?? 4 * 1024 * 1024)) return
    held.updates.push(update)
    held.bytes += update.byteLength
  }

  #randomPeers(count: number, except?: PeerId): PeerId[] {
    const peers = this.options.transport.peers().filter((p) => p !== except)
    const chosen: PeerId[] = []
    while (chosen.length < count && peers.length > 0) {
      const i = Math.floor((this.options.random?.() ?? Math.random()) * peers.length)
      chosen.push(peers.splice(i, 1)[0] as PeerId)
    }
    return chosen
  }

  #send(peer: PeerId, message: ReplicationMessage): void {
    if (!this.#closed) this.options.transport.send(peer, encodeMessage(message))
  }

  #broadcast(message: ReplicationMessage, except?: PeerId): void {
    if (this.#closed) return
    const bytes = encodeMessage(message)
    if (except === undefined) this.options.transport.broadcast(bytes)
    else for (const peer of this.options.transport.peers()) if (peer !== except) this.options.transport.send(peer, bytes)
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
