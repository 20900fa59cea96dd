import { afterEach, describe, expect, it } from 'vitest'
import { signRoomToken } from '../src/tokens.ts'
import { privateRoomMatcher } from '../src/options.ts'
import { Harness } from './support/client.ts'
import { idOf, proofFor, provenSubscribe } from './support/identities.ts'

const secret = 'test-secret-0123456789abcdef'
const h = new Harness()
afterEach(() => h.cleanup())

/** A room token; `peer` names a test identity, whose key id the token pins. */
const token = (room: string, options: { peer?: string; expiresInSeconds?: number; now?: number; secret?: string } = {}) =>
  signRoomToken({
    secret: options.secret ?? secret,
    room,
    expiresInSeconds: options.expiresInSeconds ?? 60,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.peer === undefined ? {} : { peer: idOf(options.peer) }),
  })

describe('private rooms', () => {
  it('refuses a subscribe without a valid token, naming the room and why', async () => {
    const server = await h.server({ secret })
    const client = await h.client(server)
    const attempts: Array<[string | undefined, string]> = [
      [undefined, 'token missing'],
      [token('private:lab', { now: Date.now() / 1000 - 3600 }), 'token expired'],
      [token('private:other'), 'token is for another room'],
      [token('private:lab', { peer: 'someone-else' }), 'token is for another peer'],
      [token('private:lab', { secret: 'a-different-secret-entirely' }), 'bad signature'],
      ['garbage', 'token malformed'],
    ]
    for (const [given, why] of attempts) {
      client.send(provenSubscribe(client, 'me', ['private:lab'], given === undefined ? {} : { token: given }))
      expect(await client.next('error')).toEqual({
        type: 'error',
        code: 'unauthorized',
        topic: 'private:lab',
        reason: `room "private:lab" is private: ${why}`,
      })
    }
    expect(server.snapshot().rooms).toBe(0)
    expect(server.snapshot().rejected.unauthorized).toBe(attempts.length)
    // Refused, so not a member: publishing there is refused too.
    client.send({ type: 'publish', topic: 'private:lab', data: 'sneak' })
    expect(await client.next('error')).toMatchObject({ code: 'not-subscribed' })
  })

  it('lets the other topics of a refused frame through', async () => {
    const server = await h.server({ secret })
    const client = await h.client(server)
    client.send(provenSubscribe(client, 'me', ['public', 'private:lab']))
    expect(await client.next('subscribed')).toMatchObject({ topic: 'public' })
    expect(await client.next('error')).toMatchObject({ code: 'unauthorized', topic: 'private:lab' })
  })

  it('admits peers with valid tokens, who then relay to each other', async () => {
    const server = await h.server({ secret })
    const alice = await h.client(server)
    alice.send(provenSubscribe(alice, 'alice', ['private:lab'], { token: token('private:lab', { peer: 'alice' }) }))
    expect(await alice.next('subscribed')).toMatchObject({ type: 'subscribed', topic: 'private:lab', peers: [], self: { peer: idOf('alice') } })
    const bob = await h.client(server)
    // A token without a peer admits whoever holds it.
    bob.send(provenSubscribe(bob, 'bob', ['private:lab'], { token: token('private:lab') }))
    expect((await bob.next('subscribed')).peers).toEqual([
      { peer: idOf('alice'), meta: {}, origin: expect.stringMatching(/^[\w-]{16}$/), certificate: expect.objectContaining({ peer: idOf('alice'), room: 'private:lab' }) },
    ])
    expect(await alice.next('peer-joined')).toMatchObject({ peer: idOf('bob') })

    bob.send({ type: 'publish', topic: 'private:lab', to: idOf('alice'), data: { type: 'offer' } })
    expect(await alice.next('publish')).toEqual({ type: 'publish', topic: 'private:lab', data: { type: 'offer' }, from: idOf('bob') })
  })

  it('keeps a token-pinned peer id from being taken over by another member', async () => {
    const server = await h.server({ secret })
    const alice = await h.client(server)
    alice.send(provenSubscribe(alice, 'alice', ['private:lab'], { token: token('private:lab', { peer: 'alice' }) }))
    await alice.next('subscribed')
    // A member with a room token but not Alice's key cannot even claim her id (peer-binding.test.ts).
    const mallory = await h.client(server)
    mallory.send({ type: 'subscribe', topics: ['private:lab'], peer: idOf('alice'), proof: proofFor(mallory, 'mallory'), token: token('private:lab') })
    expect(await mallory.next('error')).toMatchObject({ code: 'unproven-peer' })
    // Refused as a whole: not left behind as an unbound member.
    mallory.send({ type: 'publish', topic: 'private:lab', data: 'x' })
    expect(await mallory.next('error')).toMatchObject({ code: 'not-subscribed' })
    // Nor by announcing the id, y-webrtc style.
    mallory.send({ type: 'subscribe', topics: ['private:lab'], token: token('private:lab') })
    await mallory.next('subscribed')
    mallory.send({ type: 'publish', topic: 'private:lab', data: { type: 'announce', from: idOf('alice') } })
    const relayed = await alice.next('publish')
    expect(relayed).not.toHaveProperty('from')

    // Alice's own key with a token that does not name her does not move a pinned binding either.
    const unpinned = await h.client(server)
    unpinned.send(provenSubscribe(unpinned, 'alice', ['private:lab'], { token: token('private:lab') }))
    expect(await unpinned.next('error')).toMatchObject({ code: 'unauthorized', topic: 'private:lab' })

    // Alice herself reconnecting with her own key and token does take it over.
    const again = await h.client(server)
    again.send(provenSubscribe(again, 'alice', ['private:lab'], { token: token('private:lab', { peer: 'alice' }) }))
    await again.next('subscribed')
    expect(await alice.next('peer-left')).toMatchObject({ peer: idOf('alice') })
  })

  it('treats configured names and prefixes as private too, and leaves others public', async () => {
    const server = await h.server({ secret, privateRooms: ['lab', 'team-*'] })
    const client = await h.client(server)
    client.send({ type: 'subscribe', topics: ['lab', 'team-red', 'laboratory', 'teams'] })
    const refused = [await client.next('error'), await client.next('error')].map((e) => e.topic).sort()
    expect(refused).toEqual(['lab', 'team-red'])
    const joined = [await client.next('subscribed'), await client.next('subscribed')].map((f) => f.topic).sort()
    expect(joined).toEqual(['laboratory', 'teams'])
    client.send({ type: 'subscribe', topics: ['team-red'], token: token('team-red') })
    await client.next('subscribed', (f) => f.topic === 'team-red')
  })

  it('fails closed: without a secret, private: rooms cannot be joined at all', async () => {
    const server = await h.server()
    const client = await h.client(server)
    client.send({ type: 'subscribe', topics: ['private:lab'], token: token('private:lab') })
    expect((await client.next('error')).reason).toBe('room "private:lab" is private: this server has no secret configured, so no private room can be joined')
  })

  it('matches rooms as documented', () => {
    const isPrivate = privateRoomMatcher(['lab', 'team-*'])
    expect(['private:x', 'private:', 'lab', 'team-', 'team-a'].every(isPrivate)).toBe(true)
    expect(['lab2', 'Private:x', 'team', 'x-private:'].some(isPrivate)).toBe(false)
    const byPredicate = privateRoomMatcher((topic) => topic.endsWith('!'))
    expect(byPredicate('a!')).toBe(true)
    expect(byPredicate('private:a')).toBe(true)
    expect(byPredicate('a')).toBe(false)
  })
})
