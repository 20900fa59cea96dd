import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { PartsEncoderV1, PartsWriter } from './update-parts.ts'

/** Structs scanned for deletions per call of `next`, so one call stays short on any document. */
const DELETE_SCAN_STRUCTS = 20_000
/** A deleted range costs at most this many bytes in the delete set (two varuints). */
const DELETE_ITEM_BYTES = 12
/** At most: the count of clients and an empty delete set. */
const PIECE_HEADER_BYTES = 12
/** At most: a struct count, a client id and a clock, as varuints. */
const SEGMENT_HEADER_BYTES = 24

interface Segment {
  readonly client: number
  readonly clock: number
  count: number
  readonly parts: Uint8Array[][]
}

/**
 * A document's changes since a state vector, as a series of Yjs (v1) updates of
 * at most `pieceBytes` each (a single larger value travels alone).
 * Applied in order, the pieces have the effect of `Y.encodeStateAsUpdate(doc, sv)`.
 * Each piece comes as parts that, joined, are the update: a binary value of
 * `OWN_PART_BYTES` or more is a part of its own, the document's own bytes
 * (Yjs never changes them), so a megabyte value reaches the wire uncopied.
 * Each `next()` call does a bounded amount of work, so a sender can yield to its
 * event loop between pieces of a document of any size. Positions are kept as
 * clocks, not indices, so edits to the document between calls are safe.
 */
export class UpdatePieces {
  readonly #clients: number[]
  #clientIndex = 0
  #clock: number
  #deletesDone: boolean
  #dsClientIndex = 0
  #dsClock = 0
  readonly #dsClients: number[]

  constructor(
    private readonly doc: Y.Doc,
    private readonly from: ReadonlyMap<number, number>,
    private readonly pieceBytes: number,
    /** Only structs below these clocks (one update's range); everything known when omitted. */
    private readonly to?: ReadonlyMap<number, number>,
  ) {
    const store = doc.store
    // Higher client ids first, as Yjs writes them: it helps its conflict resolution.
    this.#clients = [...store.clients.keys()].filter((client) => this.#end(client) > (from.get(client) ?? 0)).sort((a, b) => b - a)
    this.#clock = this.#clients[0] === undefined ? 0 : (from.get(this.#clients[0]) ?? 0)
    this.#dsClients = [...store.clients.keys()].sort((a, b) => b - a)
    this.#deletesDone = false
  }

  get done(): boolean {
    return this.#clientIndex >= this.#clients.length && this.#deletesDone
  }

  /** The next piece, in parts; `null` when this call found nothing to send yet (call again); `undefined` when done. */
  next(): Uint8Array[] | null | undefined {
    if (this.#clientIndex < this.#clients.length) return this.#structPiece()
    if (!this.#deletesDone) return this.#deletePiece()
    return undefined
  }

  #end(client: number): number {
    const state = Y.getState(this.doc.store, client)
    if (this.to === undefined) return state
    return Math.min(this.to.get(client) ?? 0, state)
  }

  #structPiece(): Uint8Array[] {
    const segments: Segment[] = []
    let bytes = 0
    while (this.#clientIndex < this.#clients.length) {
      const client = this.#clients[this.#clientIndex] as number
      const structs = this.doc.store.clients.get(client) ?? []
      const end = this.#end(client)
      const first = structs[0]
      if (first !== undefined) this.#clock = Math.max(this.#clock, first.id.clock)
      let segment: Segment | undefined
      let index = this.#clock < end ? Y.findIndexSS(structs, this.#clock) : structs.length
      for (; index < structs.length && this.#clock < end; index++) {
        const struct = structs[index] as Y.Item | Y.GC
        const encoder = new PartsEncoderV1()
        struct.write(encoder, this.#clock - struct.id.clock)
        const parts = encoder.parts()
        const partBytes = parts.reduce((sum, part) => sum + part.byteLength, 0)
        const header = segment === undefined ? SEGMENT_HEADER_BYTES : 0
        if (bytes > 0 && bytes + header + partBytes > this.pieceBytes - PIECE_HEADER_BYTES) return encodeStructs(segments)
        if (segment === undefined) segments.push((segment = { client, clock: this.#clock, count: 0, parts: [] }))
        segment.parts.push(parts)
        segment.count++
        bytes += header + partBytes
        this.#clock = struct.id.clock + struct.length
      }
      this.#clientIndex++
      const nextClient = this.#clients[this.#clientIndex]
      this.#clock = nextClient === undefined ? 0 : (this.from.get(nextClient) ?? 0)
    }
    return encodeStructs(segments)
  }

  #deletePiece(): Uint8Array[] | null {
    const deletes = new Map<number, Array<[clock: number, len: number]>>()
    let bytes = 0
    let scanned = 0
    while (this.#dsClientIndex < this.#dsClients.length) {
      const client = this.#dsClients[this.#dsClientIndex] as number
      const structs = this.doc.store.clients.get(client) ?? []
      const state = Y.getState(this.doc.store, client)
      let index = this.#dsClock < state && structs.length > 0 ? Y.findIndexSS(structs, Math.max(this.#dsClock, structs[0]?.id.clock ?? 0)) : structs.length
      let runs = deletes.get(client)
      for (; index < structs.length; index++) {
        if (scanned >= DELETE_SCAN_STRUCTS || bytes + DELETE_ITEM_BYTES + PIECE_HEADER_BYTES + SEGMENT_HEADER_BYTES > this.pieceBytes) return deletes.size > 0 ? encodeDeletes(deletes) : null
        const struct = structs[index] as Y.Item | Y.GC
        scanned++
        const start = Math.max(this.#dsClock, struct.id.clock)
        this.#dsClock = struct.id.clock + struct.length
        if (!struct.deleted) continue
        const len = this.#dsClock - start
        const last = runs?.[runs.length - 1]
        if (last !== undefined && last[0] + last[1] === start) last[1] += len
        else {
          if (runs === undefined) {
            deletes.set(client, (runs = []))
            bytes += SEGMENT_HEADER_BYTES
          }
          runs.push([start, len])
          bytes += DELETE_ITEM_BYTES
        }
      }
      this.#dsClientIndex++
      this.#dsClock = 0
    }
    this.#deletesDone = true
    return deletes.size > 0 ? encodeDeletes(deletes) : null
  }
}

function encodeStructs(segments: readonly Segment[]): Uint8Array[] {
  const writer = new PartsWriter()
  writer.writeVarUint(segments.length)
  for (const { client, clock, count, parts } of segments) {
    writer.writeVarUint(count)
    writer.writeVarUint(client)
    writer.writeVarUint(clock)
    for (const structParts of parts) writer.append(structParts)
  }
  writer.writeVarUint(0)
  return writer.finish()
}

function encodeDeletes(deletes: ReadonlyMap<number, ReadonlyArray<readonly [number, number]>>): Uint8Array[] {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, deletes.size)
  for (const [client, runs] of deletes) {
    encoding.writeVarUint(encoder, client)
    encoding.writeVarUint(encoder, runs.length)
    for (const [clock, len] of runs) {
      encoding.writeVarUint(encoder, clock)
      encoding.writeVarUint(encoder, len)
    }
  }
  return [encoding.toUint8Array(encoder)]
}

/** An empty update: the last piece of a reply that had nothing to send. */
export const EMPTY_UPDATE: readonly Uint8Array[] = [Uint8Array.of(0, 0)]
