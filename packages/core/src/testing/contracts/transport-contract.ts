import { describe, expect, it } from 'vitest'
import type { PeerId } from '../../ids.ts'
import type { PeerChange, Transport } from '../../interfaces/transport.ts'

export interface TransportFixture {
  /** Transports of three connected peers. */
  readonly peers: readonly [Transport, Transport, Transport]
  /** Delivers everything in flight. */
  flush(): Promise<void>
  teardown?(): Promise<void>
}

/** The behaviour every `Transport` adapter shares. Each adapter's test file calls this once. */
export function runTransportContract(name: string, setup: () => Promise<TransportFixture>): void {
  describe(`Transport contract: ${name}`, () => {
    it('knows its connected peers', async () => {
      const { peers, flush, teardown } = await setup()
      await flush()
      const [a, b, c] = peers
      expect([...a.peers()].sort()).toEqual([b.self, c.self].sort())
      expect(a.peers()).not.toContain(a.self)
      await teardown?.()
    })

    it('delivers a message to the named peer only, with its sender', async () => {
      const { peers, flush, teardown } = await setup()
      const [a, b, c] = peers
      const got: Array<[string, PeerId, number[]]> = []
      b.onMessage((from, m) => got.push(['b', from, [...m]]))
      c.onMessage((from, m) => got.push(['c', from, [...m]]))
      expect(a.send(b.self, new Uint8Array([1, 2, 3]))).toBe(true)
      await flush()
      expect(got).toEqual([['b', a.self, [1, 2, 3]]])
      await teardown?.()
    })

    it('broadcasts to every connected peer', async () => {
      const { peers, flush, teardown } = await setup()
      const [a, b, c] = peers
      const got: string[] = []
      b.onMessage((from) => got.push(`b<-${from}`))
      c.onMessage((from) => got.push(`c<-${from}`))
      a.broadcast(new Uint8Array([9]))
      await flush()
      expect(got.sort()).toEqual([`b<-${a.self}`, `c<-${a.self}`].sort())
      await teardown?.()
    })

    it('carries large messages intact, both ways at once', async () => {
      const { peers, flush, teardown } = await setup()
      const [a, b] = peers
      const big = new Uint8Array(1_000_000).map((_, i) => (i * 31) % 251)
      // A megabyte over a real network lands when it lands: wait for each message
      // itself (after a flush, so a simulated network's clock moves), not a guess.
      const [atB, atA] = [collectOne(b), collectOne(a)]
      expect(a.send(b.self, big)).toBe(true)
      expect(b.send(a.self, big)).toBe(true)
      await flush()
      await within(LARGE_MESSAGE_DEADLINE_MS, Promise.all([atB.arrived, atA.arrived]), 'the 1 MB messages to arrive')
      await flush()
      for (const received of [atB.received, atA.received]) {
        expect(received).toHaveLength(1)
        expect(received[0]?.byteLength).toBe(big.byteLength)
        expect(firstDifference(received[0] ?? new Uint8Array(), big)).toBe(-1)
      }
      await teardown?.()
    })

    it('is not affected by the sender reusing its buffer', async () => {
      const { peers, flush, teardown } = await setup()
      const [a, b] = peers
      let received: number[] = []
      b.onMessage((_, m) => (received = [...m]))
      const buffer = new Uint8Array([1, 1, 1])
      a.send(b.self, buffer)
      buffer.fill(7)
      await flush()
      expect(received).toEqual([1, 1, 1])
      await teardown?.()
    })

    it('returns false for a peer it is not connected to', async () => {
      const { peers, teardown } = await setup()
      expect(peers[0].send('nobody' as PeerId, new Uint8Array([1]))).toBe(false)
      await teardown?.()
    })

    it('stops handlers that unsubscribed', async () => {
      const { peers, flush, teardown } = await setup()
      const [a, b] = peers
      let count = 0
      const off = b.onMessage(() => count++)
      a.send(b.self, new Uint8Array([1]))
      await flush()
      off()
      a.send(b.self, new Uint8Array([2]))
      await flush()
      expect(count).toBe(1)
      await teardown?.()
    })

    it('tells the others when a peer closes, and refuses sends after close', async () => {
      const { peers, flush, teardown } = await setup()
      const [a, b] = peers
      const changes: PeerChange[] = []
      b.onPeerChange((change) => changes.push(change))
      await a.close()
      await flush()
      expect(changes).toContainEqual({ peer: a.self, connected: false })
      expect(b.peers()).not.toContain(a.self)
      expect(() => a.send(b.self, new Uint8Array([1]))).toThrowError(expect.objectContaining({ name: 'TransportClosedError' }))
      await teardown?.()
    })
  })
}

/** Generous: a loaded 2-core CI machine moves a megabyte over WebRTC in well under a second. */
const LARGE_MESSAGE_DEADLINE_MS = 30_000

/** Every message `transport` receives, and a promise of the first. */
function collectOne(transport: Transport): { readonly received: Uint8Array[]; readonly arrived: Promise<void> } {
  const received: Uint8Array[] = []
  const arrived = new Promise<void>((resolve) =>
    transport.onMessage((_, m) => {
      received.push(m)
      resolve()
    }),
  )
  return { received, arrived }
}

async function within(ms: number, promise: Promise<unknown>, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  try {
    await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** The first index where the two differ (a length difference counts), or -1: one number to compare, not a million. */
function firstDifference(actual: Uint8Array, expected: Uint8Array): number {
  const length = Math.min(actual.byteLength, expected.byteLength)
  for (let i = 0; i < length; i++) if (actual[i] !== expected[i]) return i
  return actual.byteLength === expected.byteLength ? -1 : length
}
