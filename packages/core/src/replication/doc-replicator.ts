import * as Y from 'yjs'
import type { PeerId } from '../ids.ts'
import type { Unsubscribe } from '../interfaces/transport.ts'
import { SizeLimitError } from '../errors.ts'
import { ApplyQueue, type Inbound } from './apply-queue.ts'
import { REPLICATION_LIMITS, type ReplicationLimits } from './limits.ts'
import { PeerGuard } from './peer-guard.ts'
import { decodeMessage, encodeMessageParts, type DocMessage, type OutgoingMessage, type ReplicationMessage } from './protocol.ts'
import { SyncReplies } from './sync-replies.ts'
import { Solicitations } from './solicitations.ts'
import { checkUpdate } from './update-checks.ts'
import { HeldUpdates } from './held-updates.ts'
import { Outbox } from './outbox.ts'
import { NeighbourLinks } from './neighbour-links.ts'
import { DocsNotHeld } from './docs-not-held.ts'
import { applyInPlace } from './apply-in-place.ts'
import { handOver, joined } from './hand-over.ts'
import { watchLocalUpdates } from './local-updates.ts'
import type { DocReplicatorOptions } from './doc-replicator-options.ts'

export type { DocReplicatorOptions } from './doc-replicator-options.ts'

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
  /** Peers whose replies are still welcome, which outlives `#pending` (see Solicitations). */
  readonly #solicitations: Solicitations
  readonly #held: HeldUpdates
  readonly #limits: ReplicationLimits
  readonly #guard: PeerGuard
  readonly #replies: SyncReplies
  readonly #inbox: ApplyQueue
  readonly #outbox: Outbox
  readonly #neighbours = new NeighbourLinks()
  readonly #notHeld: DocsNotHeld
  #timer: unknown
  #closed = false

  get #applyBatchMs(): number {
    return this.options.applyBatchMs ?? 20
  }

  constructor(private readonly options: DocReplicatorOptions) {
    const { transport, clock } = options
    const limits = (this.#limits = { ...REPLICATION_LIMITS, ...options.limits })
    this.#held = new HeldUpdates(options.maxUnknownDocs ?? 8, options.maxUnknownBytes ?? 4 * 1024 * 1024)
    this.#guard = new PeerGuard(limits, clock, (peer, error) => this.#reject(peer, error))
    this.#solicitations = new Solicitations(limits.fullSyncIntervalMs)
    this.#notHeld = new DocsNotHeld(options.syncIntervalMs || 2_000)
    this.#replies = new SyncReplies({
      clock,
      limits,
      doc: (guid) => this.#docs.get(guid)?.doc,
      send: (peer, message) => this.#send(peer, message),
    })
    const self = this
    const batchMs = this.#applyBatchMs
    const relay = options.relay === true
    this.#inbox = new ApplyQueue({
      clock,
      // A relay applies each update alone, to learn which ones were news worth passing on.
      delayMs: relay ? 0 : Math.max(0, batchMs),
      mergeBytes: relay || batchMs <= 0 ? 0 : limits.maxUpdateBytes,
      sliceMs: limits.sliceMs,
      apply: (guid, batch) => {
        const target = this.#docs.get(guid)
        if (target === undefined) return
        this.#apply(target.doc, batch)
        for (const inbound of batch) if (inbound.completesSync === true) options.onSynced?.(inbound.from, guid)
      },
      get closed() {
        return self.#closed
      },
    })
    this.#outbox = new Outbox({
      clock,
      maxUpdateBytes: limits.maxUpdateBytes,
      doc: (guid) => this.#docs.get(guid)?.doc,
      hasPeers: () => transport.peers().length > 0,
      broadcast: (guid, update) => this.#broadcast({ type: 'update', doc: guid, update }),
    })
    this.#unsubscribe.push(
      transport.onMessage((from, bytes) => this.#receive(from, bytes)),
      transport.onPeerChange(({ peer, connected }) => {
        if (!connected) {
          this.#replies.forget(peer)
          this.#solicitations.forgetPeer(peer)
          this.#neighbours.forget(peer)
        }
        if (relay) for (const to of transport.peers()) this.#send(to, { type: 'links', peers: transport.peers() })
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
    this.#docs.set(doc.guid, { doc, off: watchLocalUpdates(doc, this, (update) => this.#outbox.queue(doc.guid, update)) })
    // What fits one update's cap applies now (a job's first tasks); the rest in slices.
    let bytes = 0
    const now: Inbound[] = []
    for (const { from, update } of this.#held.take(doc.guid)) {
      bytes += update.byteLength
      if (bytes <= this.#limits.maxUpdateBytes) now.push({ from, update, relayable: false })
      else this.#inbox.push(doc.guid, { from, update, relayable: false })
    }
    this.#apply(doc, now)
    for (const peer of this.#randomPeers(this.options.maxPendingSyncs ?? 2)) this.#requestSync(peer, doc.guid)
  }

  /** Stops replicating a document (a finished job). */
  remove(guid: string): void {
    this.#docs.get(guid)?.off()
    this.#docs.delete(guid)
    this.#pending.delete(guid)
    this.#solicitations.forgetDoc(guid)
  }

  has(guid: string): boolean {
    return this.#docs.has(guid)
  }

  close(): void {
    this.#closed = true
    this.#replies.close()
    this.options.clock.clearTimeout(this.#timer)
    for (const off of this.#unsubscribe) off()
    for (const guid of [...this.#docs.keys()]) this.remove(guid)
  }

  #receive(from: PeerId, bytes: Uint8Array): void {
    if (this.#closed) return
    if (bytes.byteLength > this.#limits.maxStructBytes + 1024) {
      return this.#reject(from, new SizeLimitError(`a replication message of ${bytes.byteLength} bytes`))
    }
    let message: ReplicationMessage
    try {
      message = decodeMessage(bytes)
    } catch (error) {
      return this.#reject(from, error)
    }
    // A reply we asked for (a late joiner asks for all) costs its sender no allowance.
    const solicited = message.type === 'sync-reply' && this.#solicitations.solicited(message.doc, from, this.options.clock.now())
    if (!this.#guard.admit(from, bytes.byteLength, solicited)) return
    if (message.type === 'links') return this.#neighbours.heard(from, message.peers)
    try {
      this.#handle(from, message)
    } catch (error) {
      this.#reject(from, error)
    }
  }

  #handle(from: PeerId, message: DocMessage): void {
    const entry = this.#docs.get(message.doc)
    if (entry === undefined) {
      if (message.type === 'sync-request' || message.type === 'repair-request') this.#send(from, { type: 'sync-unknown', doc: message.doc })
      else if (message.type !== 'sync-unknown') this.#held.hold(message.doc, { from, update: message.update })
      return
    }
    switch (message.type) {
      case 'sync-unknown': {
        this.#pending.get(message.doc)?.delete(from)
        const now = this.options.clock.now()
        this.#notHeld.note(message.doc, from, now)
        for (const peer of this.#randomPeers(1, from, (p) => !this.#notHeld.denied(message.doc, p, now))) this.#requestSync(peer, message.doc)
        return
      }
      case 'sync-request':
        return this.#replies.serve(from, message.doc, this.#readStateVector(message.stateVector))
      case 'repair-request': {
        // Everyone else's changes count as known, so only the wanted clients' are sent.
        const since = Y.decodeStateVector(Y.encodeStateVector(entry.doc))
        for (const [client, clock] of this.#readStateVector(message.wanted)) since.set(client, clock)
        return this.#replies.serve(from, message.doc, since)
      }
      case 'sync-reply': {
        const pending = this.#pending.get(message.doc)
        // A reply in pieces keeps its request alive, so it is neither retried nor expired meanwhile.
        if (message.more === true) {
          if (pending?.has(from) === true) pending.set(from, this.options.clock.now())
        } else pending?.delete(from)
        this.#solicitations.answered(message.doc, from, this.options.clock.now(), message.more === true)
        // Only fresh changes gossip on. A sync reply can be a whole document:
        // the relay's other neighbours have it already, or ask for it themselves.
        return this.#inbox.push(message.doc, { from, update: message.update, relayable: false, completesSync: message.more !== true })
      }
      case 'update':
        return this.#inbox.push(message.doc, { from, update: message.update, relayable: true })
    }
  }

  #readStateVector(bytes: Uint8Array): Map<number, number> {
    if (bytes.byteLength > this.#limits.maxStateVectorBytes) throw new SizeLimitError(`a state vector of ${bytes.byteLength} bytes`)
    return Y.decodeStateVector(bytes)
  }

  #reject(peer: PeerId, error: unknown): void {
    this.options.onPeerError?.(peer, error)
  }

  #apply(doc: Y.Doc, received: readonly Inbound[]): void {
    // Checked within the apply queue's slices: many messages can arrive in one turn.
    const batch = received.filter(({ from, update }) => {
      try {
        checkUpdate(update, this.#limits)
        return true
      } catch (error) {
        this.#reject(from, error)
        return false
      }
    })
    const last = batch[batch.length - 1]
    if (last === undefined) return
    if (batch.length > 1) {
      try {
        applyInPlace(doc, Y.mergeUpdates(batch.map((b) => b.update)), this)
        this.#afterApply(last.from, doc)
        return
      } catch {
        // One bad update spoils the merge: apply them one by one to find whose it was.
      }
    }
    for (const { from, update, relayable } of batch) {
      try {
        const before = this.options.relay === true && relayable ? Y.encodeStateVector(doc) : undefined
        applyInPlace(doc, update, this)
        this.#afterApply(from, doc)
        if (before !== undefined && !sameBytes(before, Y.encodeStateVector(doc))) {
          this.#broadcast({ type: 'update', doc: doc.guid, update }, from)
        }
      } catch (error) {
        this.#reject(from, error)
      }
    }
  }

  /**
   * Parked structs mean a lost message: ask this sender, which has what is
   * missing. Yjs re-merges everything parked on every apply, so structs that can
   * never apply (forged clocks) are dropped past a bound, their sender reported.
   */
  #afterApply(from: PeerId, doc: Y.Doc): void {
    const parked = (doc.store.pendingStructs?.update.byteLength ?? 0) + (doc.store.pendingDs?.byteLength ?? 0)
    if (parked > this.#limits.maxParkedBytes) {
      doc.store.pendingStructs = null
      doc.store.pendingDs = null
      throw new SizeLimitError(`${parked} bytes of updates parked for missing predecessors`)
    }
    this.#repairIfParked(from, doc.guid, doc)
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
    this.#solicitations.asked(guid, peer, now)
    this.#send(peer, message)
    if (message.type === 'sync-request') this.#retryIfUnanswered(peer, guid, now)
  }

  // Else one lost request or reply costs a whole anti-entropy round (a peer that missed a job's announcement idles).
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

  #randomPeers(count: number, except?: PeerId, allowed?: (peer: PeerId) => boolean): PeerId[] {
    const peers = this.options.transport.peers().filter((p) => p !== except && allowed?.(p) !== false)
    const chosen: PeerId[] = []
    while (chosen.length < count && peers.length > 0) {
      const i = Math.floor((this.options.random?.() ?? Math.random()) * peers.length)
      chosen.push(peers.splice(i, 1)[0] as PeerId)
    }
    return chosen
  }

  #send(peer: PeerId, message: OutgoingMessage): boolean {
    return !this.#closed && handOver(this.options.transport, peer, encodeMessageParts(message))
  }

  #broadcast(message: OutgoingMessage, except?: PeerId): void {
    if (this.#closed) return
    const parts = encodeMessageParts(message)
    const { transport } = this.options
    if (except === undefined && transport.sendOwned === undefined) return transport.broadcast(joined(parts))
    for (const peer of transport.peers()) if (except === undefined || (peer !== except && !this.#neighbours.linked(except, peer))) handOver(transport, peer, parts)
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
