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

    it('carries large messages intact', async () => {
      const { peers, flush, teardown } = await setup()
      const [a, b] = peers
      const big = new Uint8Array(1_000_000).map((_, i) => (i * 31) % 251)
      let received: Uint8Array | undefined
      b.onMessage((_, m) => (received = m))
      a.send(b.self, big)
      await flush()
      expect(received?.byteLength).toBe(big.byteLength)
      expect(received?.every((x, i) => x === big[i])).toBe(true)
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
