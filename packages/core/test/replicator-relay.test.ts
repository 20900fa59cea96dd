import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { asPeerId, decodeMessage, DocReplicator, encodeMessage, systemClock, type PeerChange, type PeerId, type Transport } from '@tessera/core'

/** Peers linked as the test says, not all to all; counts the updates each link carries. */
class LinkedNetwork {
  readonly #messages = new Map<PeerId, Array<(from: PeerId, bytes: Uint8Array) => void>>()
  readonly #changes = new Map<PeerId, Array<(change: PeerChange) => void>>()
  readonly #links = new Map<PeerId, Set<PeerId>>()
  readonly updates = new Map<string, number>()

  join(name: string): Transport {
    const self = asPeerId(name)
    this.#links.set(self, new Set())
    const net = this
    return {
      self,
      peers: () => [...(this.#links.get(self) ?? [])],
      send: (to, bytes) => net.#deliver(self, to, bytes),
      broadcast: (bytes) => {
        for (const to of this.#links.get(self) ?? []) net.#deliver(self, to, bytes)
      },
      onMessage: (handler) => (this.#messages.set(self, [...(this.#messages.get(self) ?? []), handler]), () => {}),
      onPeerChange: (handler) => (this.#changes.set(self, [...(this.#changes.get(self) ?? []), handler]), () => {}),
      close: async () => {},
    }
  }

  link(a: string, b: string): void {
    const [x, y] = [asPeerId(a), asPeerId(b)]
    this.#links.get(x)?.add(y)
    this.#links.get(y)?.add(x)
    for (const h of this.#changes.get(x) ?? []) h({ peer: y, connected: true })
    for (const h of this.#changes.get(y) ?? []) h({ peer: x, connected: true })
  }

  #deliver(from: PeerId, to: PeerId, bytes: Uint8Array): boolean {
    if (this.#links.get(from)?.has(to) !== true) return false
    if (decodeMessage(bytes).type === 'update') this.updates.set(`${from}>${to}`, (this.updates.get(`${from}>${to}`) ?? 0) + 1)
    queueMicrotask(() => {
      for (const h of this.#messages.get(to) ?? []) h(from, bytes)
    })
    return true
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 30))
}

function peer(network: LinkedNetwork, name: string, clientID: number): { doc: Y.Doc; transport: Transport; replicator: DocReplicator } {
  const doc = new Y.Doc({ guid: 'shared' })
  doc.clientID = clientID
  const transport = network.join(name)
  const replicator = new DocReplicator({ transport, clock: systemClock, syncIntervalMs: 0, relay: true })
  replicator.add(doc)
  return { doc, transport, replicator }
}

async function writeEach(doc: Y.Doc, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    doc.getMap('m').set(String(i), i)
    // One update a turn, as separate writes arrive.
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** Peers a, b and c, linked as given; `before` runs once links are known, then a writes `count` updates one by one. */
async function run(links: ReadonlyArray<readonly [string, string]>, count: number, before?: (a: ReturnType<typeof peer>) => void): Promise<{ network: LinkedNetwork; c: Y.Doc; b: Y.Doc }> {
  const network = new LinkedNetwork()
  const [a, b, c] = [peer(network, 'a', 1), peer(network, 'b', 2), peer(network, 'c', 3)]
  for (const [x, y] of links) network.link(x, y)
  await settle()
  before?.(a)
  await settle()
  await writeEach(a.doc, count)
  await settle()
  for (const p of [a, b, c]) p.replicator.close()
  return { network, b: b.doc, c: c.doc }
}

describe('relays in a mesh (issue 15: what a dispatch host sends)', () => {
  it('in a full mesh nobody relays: each neighbour had the update from its author', async () => {
    const { network, b, c } = await run([['a', 'b'], ['b', 'c'], ['a', 'c']], 40)
    expect(c.getMap('m').size).toBe(40)
    expect(b.getMap('m').size).toBe(40)
    // Was 40 each way: b passed every one of a's updates on to c, and c to b.
    expect(network.updates.get('b>c') ?? 0).toBe(0)
    expect(network.updates.get('c>b') ?? 0).toBe(0)
    expect(network.updates.get('a>c')).toBe(40)
  })

  it('in a line a–b–c, b still relays what c cannot hear from a', async () => {
    const { network, c } = await run([['a', 'b'], ['b', 'c']], 40)
    expect(c.getMap('m').size).toBe(40)
    expect(network.updates.get('b>c')).toBe(40)
  })

  it('a neighbour that claims a link it does not have stops no relay: both ends must list it', async () => {
    // a tells b it is linked to c, which c never says.
    const { network, c } = await run([['a', 'b'], ['b', 'c']], 20, (a) => a.transport.send(asPeerId('b'), encodeMessage({ type: 'links', peers: [asPeerId('b'), asPeerId('c')] })))
    expect(c.getMap('m').size).toBe(20)
    expect(network.updates.get('b>c')).toBe(20)
  })

  it('refuses a links message that is not a short list of peer ids', () => {
    expect(() => decodeMessage(encodeMessage({ type: 'links', peers: Array.from({ length: 257 }, (_, i) => asPeerId(`p${i}`)) }))).toThrow(/at most 256/)
    expect(() => decodeMessage(encodeMessage({ type: 'links', peers: [asPeerId('x'.repeat(65))] }))).toThrow(/links message/)
    expect(decodeMessage(encodeMessage({ type: 'links', peers: [asPeerId('b')] }))).toEqual({ type: 'links', peers: ['b'] })
  })
})
