import type { PeerId } from '../../ids.ts'
import type { PeerChange, Transport } from '../../interfaces/transport.ts'
import { assert, assertBytesEqual, assertEqual, assertSameMembers, assertThrows, waitUntil } from './check-assert.ts'
import type { ContractCheck } from './contract.ts'

export interface TransportFixture {
  /** Transports of three connected peers. */
  readonly peers: readonly [Transport, Transport, Transport]
  /**
   * Lets what is in flight make progress (microtasks, virtual time, a moment
   * of real time). Checks call it until what they expect has arrived, and once
   * before they conclude that something did not arrive.
   */
  flush(): Promise<void>
  teardown?(): Promise<void>
}

/** Makes three freshly connected peers for each check. */
export type MakeTransports = () => Promise<TransportFixture>

async function withPeers(make: MakeTransports, body: (fixture: TransportFixture) => Promise<void>): Promise<void> {
  const fixture = await make()
  try {
    await body(fixture)
  } finally {
    await fixture.teardown?.()
  }
}

/** The behaviour every `Transport` adapter shares: in memory, simulated, over the mesh. */
export const transportChecks: readonly ContractCheck<MakeTransports>[] = [
  {
    name: 'knows its connected peers',
    run: (make) =>
      withPeers(make, async ({ peers: [a, b, c], flush }) => {
        await waitUntil(() => a.peers().length >= 2, flush, 'a sees two peers')
        assertSameMembers([...a.peers()], [b.self, c.self], 'peers of a')
        assert(!a.peers().includes(a.self), 'a lists itself among its peers')
      }),
  },
  {
    name: 'delivers a message to the named peer only, with its sender',
    run: (make) =>
      withPeers(make, async ({ peers: [a, b, c], flush }) => {
        const got: Array<[string, PeerId, number[]]> = []
        b.onMessage((from, m) => got.push(['b', from, [...m]]))
        c.onMessage((from, m) => got.push(['c', from, [...m]]))
        assert(a.send(b.self, new Uint8Array([1, 2, 3])), 'send to a connected peer returned false')
        await waitUntil(() => got.length > 0, flush, 'the message arrives')
        await flush()
        assertEqual(got, [['b', a.self, [1, 2, 3]]], 'deliveries')
      }),
  },
  {
    name: 'broadcasts to every connected peer',
    run: (make) =>
      withPeers(make, async ({ peers: [a, b, c], flush }) => {
        const got: string[] = []
        b.onMessage((from, m) => got.push(`b<-${from}:${[...m]}`))
        c.onMessage((from, m) => got.push(`c<-${from}:${[...m]}`))
        a.broadcast(new Uint8Array([9]))
        await waitUntil(() => got.length >= 2, flush, 'both peers receive the broadcast')
        await flush()
        assertSameMembers(got, [`b<-${a.self}:9`, `c<-${a.self}:9`], 'deliveries')
      }),
  },
  {
    name: 'carries large messages intact',
    run: (make) =>
      withPeers(make, async ({ peers: [a, b], flush }) => {
        const big = new Uint8Array(1_000_000).map((_, i) => (i * 31) % 251)
        const received: Uint8Array[] = []
        b.onMessage((_, m) => received.push(m))
        assert(a.send(b.self, big), 'send returned false')
        // A megabyte can take a while over a real network: wait for it, however long, within the deadline.
        await waitUntil(() => received.length > 0, flush, 'the 1 MB message arrives', 60_000)
        assert(received.length === 1, `expected one message, got ${received.length}`)
        assertBytesEqual(received[0], big, 'the 1 MB message')
      }),
  },
  {
    name: 'is not affected by the sender reusing its buffer',
    run: (make) =>
      withPeers(make, async ({ peers: [a, b], flush }) => {
        let received: number[] | undefined
        b.onMessage((_, m) => (received = [...m]))
        const buffer = new Uint8Array([1, 1, 1])
        a.send(b.self, buffer)
        buffer.fill(7)
        await waitUntil(() => received !== undefined, flush, 'the message arrives')
        assertEqual(received, [1, 1, 1], 'received')
      }),
  },
  {
    name: 'returns false for a peer it is not connected to',
    run: (make) =>
      withPeers(make, async ({ peers: [a] }) => {
        assert(a.send('nobody' as PeerId, new Uint8Array([1])) === false, 'send to an unknown peer did not return false')
      }),
  },
  {
    name: 'stops handlers that unsubscribed',
    run: (make) =>
      withPeers(make, async ({ peers: [a, b], flush }) => {
        let count = 0
        const off = b.onMessage(() => count++)
        a.send(b.self, new Uint8Array([1]))
        await waitUntil(() => count === 1, flush, 'the first message arrives')
        off()
        // A second handler shows when the next message has arrived, so the check need not guess how long to wait.
        let second = false
        b.onMessage(() => (second = true))
        a.send(b.self, new Uint8Array([2]))
        await waitUntil(() => second, flush, 'the second message arrives')
        await flush()
        assert(count === 1, `the unsubscribed handler ran ${count} times, expected once`)
      }),
  },
  {
    name: 'tells the others when a peer closes, and refuses sends after close',
    run: (make) =>
      withPeers(make, async ({ peers: [a, b], flush }) => {
        const changes: PeerChange[] = []
        b.onPeerChange((change) => changes.push(change))
        await a.close()
        const gone = (): boolean => changes.some((change) => change.peer === a.self && !change.connected)
        await waitUntil(gone, flush, 'b hears that a closed')
        assert(!b.peers().includes(a.self), 'b still lists a after it closed')
        assertThrows(() => a.send(b.self, new Uint8Array([1])), 'TransportClosedError', 'send after close')
      }),
  },
]
