import type { PeerId, PresenceInfo, PresencePort, PresenceRecord, Transport, Unsubscribe } from '@tessera/core'

export type { PresenceInfo, PresenceRecord }

export interface PresenceOptions {
  readonly intervalMs?: number
  /** A peer not heard of for this long is gone. Default: three intervals and a second. */
  readonly expireMs?: number
}

const MAX_RECORD_BYTES = 1024
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * Presence gossip: each peer floods its record through the mesh every interval
 * and whenever it changes; relays pass on only what is newer, so each record
 * crosses each link about once per round even when the mesh is partial.
 */
export class Presence implements PresencePort {
  readonly #known = new Map<PeerId, { record: PresenceRecord; heardAt: number }>()
  readonly #listeners = new Set<(peers: readonly PresenceRecord[]) => void>()
  readonly #off: Unsubscribe[]
  readonly #timer: ReturnType<typeof setInterval>
  #closed = false
  #local: PresenceRecord

  constructor(
    private readonly transport: Transport,
    info: PresenceInfo,
    private readonly options: PresenceOptions = {},
  ) {
    this.#local = { ...info, peer: transport.self, seq: Date.now() }
    this.#off = [
      transport.onMessage((from, bytes) => this.#receive(from, bytes)),
      transport.onPeerChange(({ peer, connected }) => {
        if (connected) this.#sendAll(peer)
        else this.#linkClosed(peer)
      }),
    ]
    this.#timer = setInterval(() => {
      this.#expire()
      this.#publish()
    }, this.#intervalMs)
    this.#publish()
  }

  get #intervalMs(): number {
    return this.options.intervalMs ?? 2_000
  }

  /** Changes this peer's record (say, its load) and tells the mesh at once. */
  update(change: Partial<PresenceInfo>): void {
    this.#local = { ...this.#local, ...change, seq: Math.max(Date.now(), this.#local.seq + 1) }
    this.#publish()
  }

  /** Every peer known to be alive, this one first. */
  list(): PresenceRecord[] {
    this.#expire()
    return [this.#local, ...[...this.#known.values()].map((k) => k.record)]
  }

  onChange(listener: (peers: readonly PresenceRecord[]) => void): Unsubscribe {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  close(): void {
    this.#closed = true
    clearInterval(this.#timer)
    for (const off of this.#off) off()
  }

  #publish(): void {
    // A late update (a load change racing close) is kept locally, never sent on a closed mesh.
    if (this.#closed) return
    this.#local = { ...this.#local, seq: Math.max(Date.now(), this.#local.seq + 1) }
    this.transport.broadcast(encoder.encode(JSON.stringify(this.#local)))
  }

  // A new neighbour learns the whole roster at once instead of over a round.
  #sendAll(peer: PeerId): void {
    for (const record of this.list()) this.transport.send(peer, encoder.encode(JSON.stringify(record)))
  }

  #receive(from: PeerId, bytes: Uint8Array): void {
    const record = bytes.byteLength <= MAX_RECORD_BYTES ? parseRecord(bytes) : undefined
    if (record === undefined || record.peer === this.transport.self) return
    const known = this.#known.get(record.peer)
    if (known !== undefined && known.record.seq >= record.seq) return
    this.#known.set(record.peer, { record, heardAt: Date.now() })
    for (const peer of this.transport.peers()) if (peer !== from && peer !== record.peer) this.transport.send(peer, bytes)
    this.#emit()
  }

  /**
   * A neighbour whose link closed has most likely left: its record expires
   * after one more round instead of three, so dashboards stop showing it (and
   * its last load) within seconds. A peer still there through others sends a
   * newer record within that round and stays listed without a flicker.
   */
  #linkClosed(peer: PeerId): void {
    const known = this.#known.get(peer)
    if (known === undefined) return
    const graceMs = this.#intervalMs + 500
    known.heardAt = Math.min(known.heardAt, Date.now() - this.#expireMs + graceMs)
  }

  get #expireMs(): number {
    return this.options.expireMs ?? 3 * this.#intervalMs + 1_000
  }

  #expire(): void {
    const expireMs = this.#expireMs
    const now = Date.now()
    let changed = false
    for (const [peer, { heardAt }] of this.#known) {
      if (now - heardAt > expireMs) {
        this.#known.delete(peer)
        changed = true
      }
    }
    if (changed) this.#emit()
  }

  #emit(): void {
    if (this.#listeners.size === 0) return
    const peers = this.list()
    for (const listener of this.#listeners) listener(peers)
  }
}

function parseRecord(bytes: Uint8Array): PresenceRecord | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(decoder.decode(bytes))
  } catch {
    return undefined
  }
  if (typeof raw !== 'object' || raw === null) return undefined
  const r = raw as Record<string, unknown>
  if (typeof r.peer !== 'string' || r.peer.length === 0 || r.peer.length > 64) return undefined
  if (r.kind !== 'browser' && r.kind !== 'node') return undefined
  if (!isCount(r.workers) || typeof r.load !== 'number' || !Number.isFinite(r.load) || !isCount(r.seq)) return undefined
  if (typeof r.version !== 'string' || r.version.length > 64) return undefined
  const cache = isCount(r.cacheLookups) && isCount(r.cacheHits) && r.cacheHits <= r.cacheLookups ? { cacheLookups: r.cacheLookups, cacheHits: r.cacheHits } : {}
  return { peer: r.peer as PeerId, kind: r.kind, workers: r.workers, load: r.load, version: r.version, seq: r.seq, ...cache }
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
