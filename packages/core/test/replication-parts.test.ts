import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage, encodeMessageParts, type ReplicationMessage } from '@tessera/core'

const joined = (parts: readonly Uint8Array[]): Buffer => Buffer.concat(parts)

describe('replication messages in parts', () => {
  it('are byte for byte the CBOR of the whole message, with a large update left where it lies', () => {
    const sizes = [0, 23, 24, 255, 256, 4095, 4096, 65_535, 65_536, 1_048_576 + 7]
    for (const size of sizes) {
      const update = new Uint8Array(size).map((_, i) => (i * 29) & 255)
      const messages: ReplicationMessage[] = [
        { type: 'update', doc: 'swarm', update },
        { type: 'sync-reply', doc: 'job-1', update, more: true },
        { type: 'sync-reply', doc: 'x'.repeat(200), update },
      ]
      for (const message of messages) {
        const parts = encodeMessageParts(message)
        expect(Buffer.compare(joined(parts), encodeMessage(message))).toBe(0)
        if (size >= 4096) expect(parts[1]).toBe(update)
        const decoded = decodeMessage(joined(parts))
        expect(decoded.type === 'links' ? undefined : decoded.doc).toBe(message.type === 'links' ? undefined : message.doc)
      }
    }
    const request: ReplicationMessage = { type: 'sync-request', doc: 'swarm', stateVector: new Uint8Array(10_000) }
    expect(encodeMessageParts(request)).toHaveLength(1)
  })
})
