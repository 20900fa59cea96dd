import { afterEach, describe, expect, it } from 'vitest'
import { OriginTags } from '../src/origin-tags.ts'
import { Harness } from './support/client.ts'
import { idOf, provenSubscribe } from './support/identities.ts'

const h = new Harness()
afterEach(() => h.cleanup())

describe('origin tags: the server says where each announced peer connects from', () => {
  it('gives connections from one address one tag, and other addresses others, without revealing the address', () => {
    const tags = new OriginTags<{ address?: string }>()
    const a1 = tags.of({ address: '203.0.113.7' })
    expect(tags.of({ address: '::ffff:203.0.113.7' })).toBe(a1)
    expect(tags.of({ address: '203.0.113.8' })).not.toBe(a1)
    // One IPv6 /64 is one party.
    expect(tags.of({ address: '2001:db8:1:2::1' })).toBe(tags.of({ address: '2001:db8:1:2:ffff::9' }))
    expect(tags.of({ address: '2001:db8:1:2::1' })).not.toBe(tags.of({ address: '2001:db8:1:3::1' }))
    expect(a1).toMatch(/^[\w-]{16}$/)
    expect(a1).not.toContain('203')
    // Keyed per server start: another server's tags cannot be linked to these.
    expect(new OriginTags<{ address?: string }>().of({ address: '203.0.113.7' })).not.toBe(a1)
  })

  it('stamps the tag on subscribed and peer-joined, whatever the client claims', async () => {
    const server = await h.server({})
    const alice = await h.client(server)
    const mallory = await h.client(server)
    alice.send(provenSubscribe(alice, 'alice', ['room']))
    await alice.next('subscribed')
    // A client cannot choose its origin: an `origin` it sends is not a field of the protocol, and is not echoed.
    mallory.send({ ...provenSubscribe(mallory, 'mallory', ['room']), meta: { origin: 'forged' } })
    const roster = await mallory.next('subscribed')
    const joined = await alice.next('peer-joined')
    const aliceOrigin = roster.peers[0]?.origin
    expect(aliceOrigin).toMatch(/^[\w-]{16}$/)
    // Both connect from loopback: one address, one tag.
    expect(joined).toMatchObject({ peer: idOf('mallory'), origin: aliceOrigin })
    expect(JSON.stringify(joined)).not.toContain('forged')
  })
})
