import { afterEach, describe, expect, it } from 'vitest'
import { Harness, TestClient } from './support/client.ts'
import { idOf, provenSubscribe } from './support/identities.ts'
import { until } from './support/until.ts'

/** The server stamps every announced peer with a tag for its address (see origin-tags.test.ts). */
const ORIGIN = expect.stringMatching(/^[\w-]{16}$/)
/** Key ids of the test identities the clients below bind, with proofs (support/identities.ts). */
const [A, B, C, P] = ['A', 'B', 'C', 'P'].map(idOf) as [string, string, string, string]
/** Bound key ids carry the server's certificate of their subject (see subjects.test.ts). */
const certificateOf = (peer: string, room = 'room') => expect.objectContaining({ v: 1, peer, room, subject: expect.stringMatching(/^local:[\w-]{16}$/) })

const h = new Harness()
afterEach(() => h.cleanup())

/** Proves `receiver` got no publish: everything `sender` sent has been handled and would have arrived first. */
async function expectNoPublish(sender: TestClient, receiver: TestClient): Promise<void> {
  await sender.sync()
  await receiver.sync()
  expect(receiver.pending().filter((frame) => frame.type === 'publish')).toEqual([])
}

describe('signaling server', () => {
  it('welcomes each connection with its ICE servers, limits and its own challenge', async () => {
    const iceServers = [{ urls: 'stun:stun.example.org:3478' }, { urls: ['turn:turn.example.org:3478'], username: 'u', credential: 'c' }]
    const server = await h.server({ iceServers, maxPayload: 4096, maxRooms: 5 })
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}`)
    expect(server.port).toBeGreaterThan(0)
    const client = h.track(await TestClient.connect(server.url))
    const welcome = await client.next('welcome')
    expect(welcome).toEqual({ type: 'welcome', challenge: expect.stringMatching(/^[\w-]{32}$/), iceServers, maxPayload: 4096, maxRooms: 5, issuer: server.issuer })
    // 24 random bytes per connection: another connection never gets the same one.
    const other = h.track(await TestClient.connect(server.url))
    expect((await other.next('welcome')).challenge).not.toBe(welcome.challenge)
  })

  it('answers subscribe with the peers bound before, and tells them who joined', async () => {
    const server = await h.server()
    const a = await h.client(server)
    a.send(provenSubscribe(a, 'A', ['room'], { meta: { kind: 'node', version: '1' } }))
    expect(await a.next('subscribed')).toEqual({
      type: 'subscribed',
      topic: 'room',
      peers: [],
      self: { peer: A, meta: { kind: 'node', version: '1' }, origin: ORIGIN, certificate: certificateOf(A) },
    })

    const b = await h.client(server)
    b.send(provenSubscribe(b, 'B', ['room', 'other'], { meta: { kind: 'browser' } }))
    expect(await b.next('subscribed', (f) => f.topic === 'room')).toEqual({
      type: 'subscribed',
      topic: 'room',
      peers: [{ peer: A, meta: { kind: 'node', version: '1' }, origin: ORIGIN, certificate: certificateOf(A) }],
      self: { peer: B, meta: { kind: 'browser' }, origin: ORIGIN, certificate: certificateOf(B) },
    })
    expect(await b.next('subscribed', (f) => f.topic === 'other')).toMatchObject({ type: 'subscribed', topic: 'other', peers: [], self: { certificate: certificateOf(B, 'other') } })
    expect(await a.next('peer-joined')).toEqual({ type: 'peer-joined', topic: 'room', peer: B, meta: { kind: 'browser' }, origin: ORIGIN, certificate: certificateOf(B) })

    // An unbound member sees who is there but is announced to no one.
    const c = await h.client(server)
    c.send({ type: 'subscribe', topics: ['room'] })
    expect((await c.next('subscribed')).peers.map((p) => p.peer).sort()).toEqual([A, B].sort())
    await c.sync()
    await a.sync()
    await b.sync()
    expect(a.pending()).toEqual([])
    expect(b.pending()).toEqual([])
  })

  it('tells the room when a bound peer unsubscribes or disconnects', async () => {
    const server = await h.server()
    const a = await h.member(server, 'room', 'A')
    const b = await h.member(server, 'room', 'B')
    const c = await h.member(server, 'room', 'C')
    await a.next('peer-joined', (f) => f.peer === C)

    b.send({ type: 'unsubscribe', topics: ['room'] })
    expect(await a.next('peer-left')).toEqual({ type: 'peer-left', topic: 'room', peer: B })
    expect(await c.next('peer-left')).toEqual({ type: 'peer-left', topic: 'room', peer: B })

    a.send({ type: 'publish', topic: 'room', data: 'after B left' })
    expect((await c.next('publish')).data).toBe('after B left')
    await expectNoPublish(a, b)

    c.close()
    expect(await a.next('peer-left')).toEqual({ type: 'peer-left', topic: 'room', peer: C })
  })

  it('delivers a directed publish only to the named peer, naming the sender', async () => {
    const server = await h.server()
    const a = await h.member(server, 'room', 'A')
    const b = await h.member(server, 'room', 'B')
    const c = await h.member(server, 'room', 'C')
    for (const client of [a, b, c]) {
      await client.sync()
      client.clear()
    }

    a.send({ type: 'publish', topic: 'room', to: B, data: { type: 'offer', sdp: 'v=0' } })
    expect(await b.next('publish')).toEqual({ type: 'publish', topic: 'room', data: { type: 'offer', sdp: 'v=0' }, from: A })
    await expectNoPublish(a, c)
    await expectNoPublish(a, a)

    // y-webrtc addresses inside data.
    a.send({ type: 'publish', topic: 'room', data: { to: C, n: 1 } })
    expect(await c.next('publish')).toEqual({ type: 'publish', topic: 'room', data: { to: C, n: 1 }, from: A })
    await expectNoPublish(a, b)
  })

  it('broadcasts to every other member when the recipient is absent or not bound', async () => {
    const server = await h.server()
    const a = await h.member(server, 'room', 'A')
    const b = await h.member(server, 'room', 'B')
    const c = await h.member(server, 'room')

    a.send({ type: 'publish', topic: 'room', to: 'nobody', data: 1 })
    a.send({ type: 'publish', topic: 'room', data: 2 })
    for (const receiver of [b, c]) {
      expect(await receiver.next('publish', (f) => f.data === 1)).toEqual({ type: 'publish', topic: 'room', data: 1, from: A })
      expect(await receiver.next('publish', (f) => f.data === 2)).toMatchObject({ from: A })
    }
    await expectNoPublish(a, a)

    c.send({ type: 'publish', topic: 'room', data: 'unbound' })
    const relayed = await b.next('publish')
    expect(relayed).toEqual({ type: 'publish', topic: 'room', data: 'unbound' })
    expect(relayed).not.toHaveProperty('from')
  })

  it('learns y-webrtc peers from their announce and routes their signals', async () => {
    const server = await h.server()
    // Stock y-webrtc: subscribe without `peer`, then announce in data.
    const y1 = await h.member(server, 'doc')
    const y2 = await h.member(server, 'doc')
    const y3 = await h.member(server, 'doc')

    y1.send({ type: 'publish', topic: 'doc', data: { type: 'announce', from: 'y1' } })
    expect(await y2.next('publish')).toEqual({ type: 'publish', topic: 'doc', data: { type: 'announce', from: 'y1' }, from: 'y1' })
    expect(await y3.next('peer-joined')).toEqual({ type: 'peer-joined', topic: 'doc', peer: 'y1', meta: {}, origin: ORIGIN })
    y2.send({ type: 'publish', topic: 'doc', data: { type: 'announce', from: 'y2' } })
    expect((await y1.next('publish')).data).toEqual({ type: 'announce', from: 'y2' })
    for (const client of [y1, y2, y3]) {
      await client.sync()
      client.clear()
    }

    const signal = { type: 'signal', from: 'y1', to: 'y2', signal: { type: 'offer', sdp: 'v=0' } }
    y1.send({ type: 'publish', topic: 'doc', data: signal })
    expect(await y2.next('publish')).toEqual({ type: 'publish', topic: 'doc', data: signal, from: 'y1' })
    await expectNoPublish(y1, y3)

    // A later announce claiming another id does not rebind a learned peer.
    y1.send({ type: 'publish', topic: 'doc', data: { type: 'announce', from: 'impostor' } })
    expect((await y3.next('publish')).from).toBe('y1')
  })

  it('moves a peer id to the connection that subscribes with it last', async () => {
    const server = await h.server()
    const old = await h.member(server, 'room', 'P')
    const b = await h.member(server, 'room', 'B')
    await old.next('peer-joined')

    const fresh = await h.client(server)
    // Only P's key can do this: the new connection proves it on its own challenge (peer-binding.test.ts).
    fresh.send(provenSubscribe(fresh, 'P', ['room']))
    expect(await fresh.next('subscribed')).toEqual({
      type: 'subscribed',
      topic: 'room',
      peers: [{ peer: B, meta: {}, origin: ORIGIN, certificate: certificateOf(B) }],
      self: { peer: P, meta: {}, origin: ORIGIN, certificate: certificateOf(P) },
    })
    expect(await b.next('peer-joined')).toEqual({ type: 'peer-joined', topic: 'room', peer: P, meta: {}, origin: ORIGIN, certificate: certificateOf(P) })
    expect(await old.next('peer-left')).toEqual({ type: 'peer-left', topic: 'room', peer: P })

    b.send({ type: 'publish', topic: 'room', to: P, data: 'hello' })
    expect((await fresh.next('publish')).data).toBe('hello')
    await expectNoPublish(b, old)

    // The displaced socket going away must not announce P as gone.
    old.close()
    await until(() => server.snapshot().connections === 2)
    await b.sync()
    expect(b.pending().filter((f) => f.type === 'peer-left')).toEqual([])
  })

  it('answers ping with pong', async () => {
    const server = await h.server()
    const client = await h.client(server)
    client.send({ type: 'ping' })
    expect(await client.next('pong')).toEqual({ type: 'pong' })
  })
})
