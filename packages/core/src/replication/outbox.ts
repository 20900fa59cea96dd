import * as Y from 'yjs'
import type { Clock } from '../clock.ts'
import type { UpdateBytes } from './protocol.ts'
import { updateMeta } from './update-checks.ts'
import { UpdatePieces } from './update-pieces.ts'

export interface OutboxHost {
  readonly clock: Clock
  /** Peers refuse updates over this, so larger changes leave in pieces of this size. */
  readonly maxUpdateBytes: number
  doc(guid: string): Y.Doc | undefined
  /** Whether anyone would receive a broadcast now. */
  hasPeers(): boolean
  broadcast(guid: string, update: UpdateBytes): void
}

/**
 * Local updates not yet sent, in the order they were made, across documents:
 * a value written before the report that names it must also leave first.
 * Several transactions in one turn (a claim, a renewal, a report) reach each peer
 * in as few messages as their order and the size cap allow, so receivers apply
 * less often.
 */
export class Outbox {
  #segments: Array<{ guid: string; updates: Uint8Array[] }> = []

  constructor(private readonly host: OutboxHost) {}

  queue(guid: string, update: Uint8Array): void {
    const last = this.#segments[this.#segments.length - 1]
    if (last !== undefined && last.guid === guid) {
      last.updates.push(update)
      return
    }
    if (this.#segments.length === 0) this.host.clock.setTimeout(() => this.#flush(), 0)
    this.#segments.push({ guid, updates: [update] })
  }

  #flush(): void {
    const segments = this.#segments
    this.#segments = []
    for (const { guid, updates } of segments) {
      const doc = this.host.doc(guid)
      if (doc !== undefined && this.host.hasPeers()) this.#send(doc, updates)
    }
  }

  #send(doc: Y.Doc, updates: readonly Uint8Array[]): void {
    const cap = this.host.maxUpdateBytes
    let group: Uint8Array[] = []
    let bytes = 0
    const sendGroup = (): void => {
      if (group.length === 0) return
      const merged = group.length === 1 ? (group[0] as Uint8Array) : Y.mergeUpdates(group)
      for (const update of merged.byteLength <= cap ? [merged] : group) this.host.broadcast(doc.guid, update)
      group = []
      bytes = 0
    }
    for (const update of updates) {
      if (bytes + update.byteLength > cap) sendGroup()
      if (update.byteLength <= cap) {
        group.push(update)
        bytes += update.byteLength
        continue
      }
      // One transaction over the cap: the same structs, cut from the document.
      const { from, to } = updateMeta(update)
      const pieces = new UpdatePieces(doc, from, cap, to)
      for (let piece = pieces.next(); piece !== undefined; piece = pieces.next()) {
        if (piece !== null) this.host.broadcast(doc.guid, piece)
      }
    }
    sendGroup()
  }
}
