import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage, encodeMessageParts, ProtocolError, type ReplicationMessage } from '@tessera/core'
import { applyInPlace } from '../src/replication/apply-in-place.ts'
import { joined } from '../src/replication/hand-over.ts'
import { watchLocalUpdates } from '../src/replication/local-updates.ts'
import { checkUpdate, updateMeta } from '../src/replication/update-checks.ts'
import { OWN_PART_BYTES } from '../src/replication/update-parts.ts'
import { UpdatePieces } from '../src/replication/update-pieces.ts'
import { REPLICATION_LIMITS } from '../src/replication/limits.ts'

const MiB = 1024 * 1024

/** A document like a late joiner's: megabyte values among small entries, a few deleted. */
function filledDoc(): { doc: Y.Doc; blobs: Uint8Array[] } {
  const doc = new Y.Doc()
  doc.clientID = 7
  const blobs = [MiB, OWN_PART_BYTES, OWN_PART_BYTES - 1, 3 * MiB].map((size, i) => new Uint8Array(size).map((_, j) => (j * 31 + i) & 255))
  doc.transact(() => blobs.forEach((blob, i) => doc.getMap<Uint8Array>('blobs').set(`b${i}`, blob)))
  doc.transact(() => {
    for (let i = 0; i < 3_000; i++) doc.getMap<string>('small').set(`s${i}`, `entry ${i}`.padEnd(100, '.'))
  })
  doc.transact(() => {
    for (let i = 0; i < 3_000; i += 7) doc.getMap('small').delete(`s${i}`)
  })
  return { doc, blobs }
}

function contentOf(doc: Y.Doc, key: string): Uint8Array {
  return doc.getMap<Uint8Array>('blobs').get(key) as Uint8Array
}

describe('updates without copies of large values', () => {
  it('pieces in parts rebuild the document, each under the cap, and hand over large values uncopied', () => {
    const { doc, blobs } = filledDoc()
    const pieceBytes = 64 * 1024
    const pieces = new UpdatePieces(doc, new Map(), pieceBytes)
    const copy = new Y.Doc()
    const handedOver = new Set<Uint8Array>()
    for (let piece = pieces.next(); piece !== undefined; piece = pieces.next()) {
      if (piece === null) continue
      const update = joined(piece)
      if (update.byteLength > pieceBytes) expect(piece.some((part) => part.byteLength >= MiB)).toBe(true)
      for (const part of piece) if (part.byteLength >= OWN_PART_BYTES) handedOver.add(part)
      checkUpdate(update, REPLICATION_LIMITS)
      Y.applyUpdate(copy, update)
    }
    expect(Buffer.compare(Y.encodeStateAsUpdate(copy), Y.encodeStateAsUpdate(doc))).toBe(0)
    expect(copy.getMap('small').size).toBe(doc.getMap('small').size)
    // The document's own arrays, not copies of them; a value under the threshold is copied into its piece.
    for (const key of ['b0', 'b1', 'b3']) expect(handedOver.has(contentOf(doc, key))).toBe(true)
    expect(handedOver.has(contentOf(doc, 'b2'))).toBe(false)
    expect(blobs.every((blob, i) => Buffer.compare(contentOf(copy, `b${i}`), blob) === 0)).toBe(true)
  })

  it('a message made of an update in parts is the message made of the joined update', () => {
    const { doc } = filledDoc()
    const pieces = new UpdatePieces(doc, new Map(), 64 * 1024)
    for (let piece = pieces.next(); piece !== undefined; piece = pieces.next()) {
      if (piece === null) continue
      const whole = encodeMessage({ type: 'sync-reply', doc: 'swarm', update: joined(piece), more: true })
      const parts = encodeMessageParts({ type: 'sync-reply', doc: 'swarm', update: piece, more: true })
      expect(Buffer.compare(Buffer.concat(parts), whole)).toBe(0)
      const decoded = decodeMessage(joined(parts))
      expect(decoded.type === 'sync-reply' && Buffer.compare(decoded.update, joined(piece))).toBe(0)
    }
  })

  it('checks read the same structs as Yjs does, and still refuse damaged updates', () => {
    const { doc } = filledDoc()
    const update = Y.encodeStateAsUpdate(doc)
    expect(updateMeta(update)).toEqual(Y.parseUpdateMeta(update))
    // Yjs's reader copies each binary value (it keeps them); the check reads them in place.
    let copies = 0
    const read = Y.UpdateDecoderV1.prototype.readBuf
    Y.UpdateDecoderV1.prototype.readBuf = function (this: Y.UpdateDecoderV1): Uint8Array {
      copies++
      return read.call(this)
    }
    try {
      updateMeta(update)
      expect(copies).toBe(0)
      Y.parseUpdateMeta(update)
      expect(copies).toBe(4)
    } finally {
      Y.UpdateDecoderV1.prototype.readBuf = read
    }
    expect(() => checkUpdate(update.subarray(0, update.byteLength - 100_000), { ...REPLICATION_LIMITS, maxUpdateBytes: 16 * MiB })).toThrow(/undecodable update/)
  })

  it('local transactions are reported as Yjs encodes them; updates applied under the own origin are neither reported nor encoded', () => {
    const { doc } = filledDoc()
    const state = Y.encodeStateAsUpdate(doc)
    const watched = new Y.Doc()
    const origin = { name: 'replicator' }
    const reported: Uint8Array[] = []
    const stop = watchLocalUpdates(watched, origin, (update) => reported.push(update))
    // Yjs encodes a transaction only while something listens to 'update': count its encoder's uses.
    let encodings = 0
    const write = Y.UpdateEncoderV1.prototype.writeBuf
    Y.UpdateEncoderV1.prototype.writeBuf = function (this: Y.UpdateEncoderV1, buf: Uint8Array): void {
      encodings++
      write.call(this, buf)
    }
    try {
      Y.applyUpdate(watched, state, origin)
      expect(reported).toHaveLength(0)
      expect(encodings).toBe(0)
      watched.getMap<Uint8Array>('blobs').set('local', new Uint8Array(100))
      watched.getMap('small').set('local', 'x')
      expect(reported).toHaveLength(2)
      expect(encodings).toBe(1)
      // Another writer's change arrives under the own origin: applied, not reported, not encoded again.
      const other = new Y.Doc()
      Y.applyUpdate(other, state)
      other.getMap<Uint8Array>('blobs').set('other', new Uint8Array(OWN_PART_BYTES))
      const news = Y.encodeStateAsUpdate(other, Y.encodeStateVector(watched))
      encodings = 0
      Y.applyUpdate(watched, news, origin)
      expect(encodings).toBe(0)
      expect(reported).toHaveLength(2)
      expect(watched.getMap('blobs').has('other')).toBe(true)
    } finally {
      Y.UpdateEncoderV1.prototype.writeBuf = write
    }
    const replica = new Y.Doc()
    Y.applyUpdate(replica, state)
    for (const update of reported) Y.applyUpdate(replica, update)
    expect(replica.getMap('small').get('local')).toBe('x')
    expect(replica.getMap<Uint8Array>('blobs').get('local')).toEqual(new Uint8Array(100))
    stop()
    watched.getMap('small').set('after', 1)
    expect(reported).toHaveLength(2)
  })

  it('a received update is read in place from its message, with the same fields cborg would give', () => {
    // A doc name holding the bytes of the update key and a length header must not confuse the reader.
    const tricky = `x\u0066update\u0059\u0001\u0000${'é'.repeat(40)}`
    for (const size of [4_000, 4_096, 65_535, 65_536, MiB + 7]) {
      const update = new Uint8Array(size).map((_, i) => (i * 13) & 255)
      const messages: ReplicationMessage[] = [
        { type: 'update', doc: 'swarm', update },
        { type: 'sync-reply', doc: 'tessera/job/abc', update, more: true },
        { type: 'sync-reply', doc: tricky, update },
      ]
      for (const message of messages) {
        const bytes = joined(encodeMessageParts(message))
        const decoded = decodeMessage(bytes)
        expect(decoded).toEqual({ ...message, update: expect.any(Uint8Array) })
        const got = (decoded as { update: Uint8Array }).update
        expect(Buffer.compare(got, update)).toBe(0)
        expect(got.buffer === bytes.buffer).toBe(bytes.byteLength >= 4_096)
        // Bytes after the update, or a cut one, are refused as before.
        const longer = new Uint8Array(bytes.byteLength + 1)
        longer.set(bytes)
        expect(() => decodeMessage(longer)).toThrow(ProtocolError)
        expect(() => decodeMessage(bytes.subarray(0, bytes.byteLength - 1))).toThrow(ProtocolError)
      }
    }
  })

  it('applied in place, a large binary value stays in the received bytes and a small one is copied', () => {
    const source = new Y.Doc()
    const large = new Uint8Array(MiB).fill(9)
    source.getMap<Uint8Array>('blobs').set('large', large)
    source.getMap<Uint8Array>('blobs').set('small', new Uint8Array(100).fill(3))
    const update = Y.encodeStateAsUpdate(source)
    const target = new Y.Doc()
    applyInPlace(target, update, 'peer')
    const blobs = target.getMap<Uint8Array>('blobs')
    expect(blobs.get('large')?.buffer === update.buffer).toBe(true)
    expect(blobs.get('small')?.buffer === update.buffer).toBe(false)
    expect(Buffer.compare(blobs.get('large') as Uint8Array, large)).toBe(0)
    expect(Buffer.compare(Y.encodeStateAsUpdate(target), update)).toBe(0)
  })
})
