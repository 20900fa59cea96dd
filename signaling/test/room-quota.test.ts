import { afterEach, describe, expect, it } from 'vitest'
import { addressKey, RoomCreationQuota } from '../src/room-quota.ts'
import { Harness, type TestClient } from './support/client.ts'
import { idOf, provenSubscribe } from './support/identities.ts'

const h = new Harness()
afterEach(() => h.cleanup())

describe('room creation quota', () => {
  it('400 connections from one address cannot fill the room table: a fresh client still creates and joins rooms', async () => {
    const server = await h.server()
    const heapBefore = process.memoryUsage().heapUsed
    const started = Date.now()
    const attackers: TestClient[] = []
    for (let i = 0; i < 400; i++) attackers.push(await h.client(server))
    // Each asks for as many brand-new rooms as it may be in (32): 12,800 in all, past the 10,000-room table.
    attackers.forEach((client, i) => client.send({ type: 'subscribe', topics: Array.from({ length: 32 }, (_, t) => `flood-${i}-${t}`) }))
    const answers = (client: TestClient) => client.pending().filter((f) => f.type === 'subscribed' || f.type === 'error')
    const deadline = Date.now() + 30_000
    while (attackers.some((client) => answers(client).length < 32) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    const errors = attackers.flatMap((client) => client.pending().filter((f) => f.type === 'error'))
    expect(new Set(errors.map((f) => (f.type === 'error' ? f.code : '')))).toEqual(new Set(['too-many-new-rooms']))
    const refused = errors.length
    const rooms = server.snapshot().rooms
    const floodMs = Date.now() - started
    // A newcomer from another address creates a room, and is joined there by one of the flooders:
    // joining an existing room is never refused.
    const fresh = await h.client(server, { localAddress: '127.0.0.2' })
    fresh.send(provenSubscribe(fresh, 'fresh', ['fresh-room']))
    const subscribed = await fresh.next('subscribed', (f) => f.topic === 'fresh-room')
    expect(subscribed.peers).toEqual([])
    const flooder = attackers[399] as TestClient
    flooder.send(provenSubscribe(flooder, 'flooder', ['fresh-room']))
    await flooder.next('subscribed', (f) => f.topic === 'fresh-room')
    await fresh.next('peer-joined', (f) => f.peer === idOf('flooder'))
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6
    console.info(
      `signaling: 400 connections from one address asked for 12,800 new rooms; ${rooms} created, ${refused} refused with too-many-new-rooms ` +
        `in ${floodMs} ms; a client from another address then created and shared a room (heap +${heapMb.toFixed(0)} MB)`,
    )
    expect(rooms).toBe(64)
    expect(refused).toBe(400 * 32 - 64)
  })

  it('counts rooms per connection until they are gone, and frees them for their creator', async () => {
    const server = await h.server({ maxNewRoomsPerConnection: 2 })
    const a = await h.client(server)
    a.send({ type: 'subscribe', topics: ['a1', 'a2', 'a3'] })
    await a.next('subscribed', (f) => f.topic === 'a1')
    await a.next('subscribed', (f) => f.topic === 'a2')
    const error = await a.next('error')
    expect(error).toMatchObject({ code: 'too-many-new-rooms', topic: 'a3' })
    expect(error.reason).toMatch(/at most 2 rooms/)
    // Someone else in a1 keeps it alive after its creator leaves: it still counts, until empty.
    const b = await h.member(server, 'a1')
    a.send({ type: 'unsubscribe', topics: ['a1'] })
    a.send({ type: 'subscribe', topics: ['a3'] })
    expect(await a.next('error')).toMatchObject({ code: 'too-many-new-rooms', topic: 'a3' })
    b.send({ type: 'unsubscribe', topics: ['a1'] })
    await b.sync()
    a.send({ type: 'subscribe', topics: ['a3'] })
    await a.next('subscribed', (f) => f.topic === 'a3')
  })

  it('counts an IPv6 /64 as one address', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb::2'))
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'))
    expect(addressKey('::ffff:10.0.0.1')).toBe('10.0.0.1')
    const quota = new RoomCreationQuota<string>(10, 1)
    quota.created('t', 'c1', addressKey('2001:db8::1'))
    expect(quota.refusal('c2', addressKey('2001:db8::2'))).toMatch(/your address/)
    quota.removed('t')
    expect(quota.refusal('c2', addressKey('2001:db8::2'))).toBeUndefined()
  })
})
