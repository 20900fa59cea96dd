import { afterEach, describe, expect, it } from 'vitest'
import { MAX_FAILED_PROOFS } from '../src/peer-proof.ts'
import { peerBindingMessage } from '../src/protocol.ts'
import { Harness, type TestClient } from './support/client.ts'
import { identityOf, idOf, proofFor, provenSubscribe } from './support/identities.ts'

const h = new Harness()
afterEach(() => h.cleanup())

/** The publish frames `receiver` got, once everything `senders` sent has been handled. */
async function publishesSeenBy(receiver: TestClient, ...senders: TestClient[]): Promise<unknown[]> {
  for (const sender of senders) await sender.sync()
  await receiver.sync()
  return receiver.pending().filter((frame) => frame.type === 'publish')
}

describe('peer ids are bound to the key they prove', () => {
  it('signs a fixed, versioned, domain-separated message over the challenge', () => {
    expect(new TextDecoder().decode(peerBindingMessage('c2hhbGxvdw'))).toBe('tessera/signaling-bind@1 c2hhbGxvdw')
  })

  it('a stranger cannot borrow a bound peer id: refused, and none of its directed messages reach the stranger', async () => {
    const server = await h.server()
    const victim = await h.member(server, 'room', 'victim')
    const sender = await h.member(server, 'room', 'sender')
    const stranger = await h.client(server)
    const claim = (proof?: string) => stranger.send({ type: 'subscribe', topics: ['room'], peer: idOf('victim'), ...(proof === undefined ? {} : { proof }) })

    claim() // what worked before: naming the id
    expect(await stranger.next('error')).toEqual({
      type: 'error',
      code: 'unproven-peer',
      reason: `binding peer "${idOf('victim')}" needs "proof": the peer key's signature of this connection's challenge`,
    })
    claim(proofFor(victim, 'victim')) // a replay: the victim's real proof, made for the victim's own connection
    expect(await stranger.next('error')).toMatchObject({ code: 'unproven-peer', reason: expect.stringMatching(/is not peer ".*"'s signature of this connection's challenge/) })
    claim(proofFor(stranger, 'mallory')) // the right challenge, the wrong key
    expect(await stranger.next('error')).toMatchObject({ code: 'unproven-peer' })
    // Refused as a whole: not even an unbound member.
    stranger.send({ type: 'publish', topic: 'room', data: 'x' })
    expect(await stranger.next('error')).toMatchObject({ code: 'not-subscribed' })

    // Joined unbound (allowed), it announces the id, y-webrtc style: a key id is never bound that way.
    stranger.send({ type: 'subscribe', topics: ['room'] })
    await stranger.next('subscribed')
    stranger.send({ type: 'publish', topic: 'room', data: { type: 'announce', from: idOf('victim') } })
    const announce = await sender.next('publish')
    expect(announce).not.toHaveProperty('from')

    for (let n = 0; n < 5; n++) sender.send({ type: 'publish', topic: 'room', to: idOf('victim'), data: { type: 'offer', n } })
    for (let n = 0; n < 5; n++) expect(await victim.next('publish', (f) => (f.data as { n?: number }).n === n)).toMatchObject({ from: idOf('sender') })
    expect(await publishesSeenBy(stranger, sender)).toEqual([])

    // With the victim away, what is addressed to it is dropped, not broadcast to whoever is left.
    victim.close()
    await sender.next('peer-left', (f) => f.peer === idOf('victim'))
    sender.send({ type: 'publish', topic: 'room', to: idOf('victim'), data: { type: 'offer', n: 5 } })
    sender.send({ type: 'publish', topic: 'room', data: { type: 'signal', to: idOf('victim'), n: 6 } })
    expect(await publishesSeenBy(stranger, sender)).toEqual([])
    expect(server.snapshot().rejected['unproven-peer']).toBe(3)
  })

  it('refuses a non-key id, a bad signature and a proof for another id, each with unproven-peer and why', async () => {
    const server = await h.server()
    const refusals: Array<[label: string, frame: (c: TestClient) => object, reason: RegExp]> = [
      ['a name, not a key id', (c) => ({ ...provenSubscribe(c, 'alice', ['room']), peer: 'alice' }), /^peer id "alice" is not a key id/],
      ['a short random id', () => ({ type: 'subscribe', topics: ['room'], peer: '3f2a9c01d4e5b6a7', proof: 'x' }), /is not a key id/],
      ['no proof', (c) => ({ type: 'subscribe', topics: ['room'], peer: idOf('alice') }), /needs "proof"/],
      ['well-formed garbage', () => ({ type: 'subscribe', topics: ['room'], peer: idOf('alice'), proof: 'A'.repeat(86) }), /is not peer .* signature/],
      ['a malformed signature', () => ({ type: 'subscribe', topics: ['room'], peer: idOf('alice'), proof: 'not base64url!' }), /is not peer .* signature/],
      ["bob's proof for alice's id", (c) => ({ ...provenSubscribe(c, 'bob', ['room']), peer: idOf('alice') }), /is not peer .* signature/],
      [
        'a signature of the bare challenge (no domain)',
        (c) => ({ type: 'subscribe', topics: ['room'], peer: idOf('alice'), proof: identityOf('alice').sign(new TextEncoder().encode(c.challenge)) }),
        /is not peer .* signature/,
      ],
    ]
    for (const [label, frame, reason] of refusals) {
      // A connection each: a connection stops verifying after a few failures (below).
      const client = await h.client(server)
      client.send(frame(client))
      const error = await client.next('error')
      expect(error, label).toMatchObject({ code: 'unproven-peer', reason: expect.stringMatching(reason) })
      expect(error, label).not.toHaveProperty('topic')
    }
    expect(server.snapshot()).toMatchObject({ rooms: 0, rejected: { 'unproven-peer': refusals.length } })
  })

  it('binds one id per connection: the same id may join more rooms, another id is refused', async () => {
    const server = await h.server()
    const client = await h.client(server)
    client.send(provenSubscribe(client, 'one', ['first']))
    await client.next('subscribed')
    client.send(provenSubscribe(client, 'two', ['second'])) // a valid proof, but a second id
    expect(await client.next('error')).toMatchObject({ code: 'unproven-peer', reason: `this connection is bound to peer "${idOf('one')}": one connection binds one peer id` })
    client.send(provenSubscribe(client, 'one', ['second']))
    await client.next('subscribed', (f) => f.topic === 'second')

    // Joined unbound, it may announce its own id there (y-webrtc style), and no other.
    const watcher = await h.member(server, 'third')
    client.send({ type: 'subscribe', topics: ['third'] })
    await client.next('subscribed', (f) => f.topic === 'third')
    client.send({ type: 'publish', topic: 'third', data: { type: 'announce', from: 'y-webrtc-id' } })
    expect(await watcher.next('publish')).not.toHaveProperty('from')
    client.send({ type: 'publish', topic: 'third', data: { type: 'announce', from: idOf('one') } })
    expect(await watcher.next('peer-joined')).toMatchObject({ topic: 'third', peer: idOf('one') })
  })

  it(`stops verifying after ${MAX_FAILED_PROOFS} failed proofs on one connection, until it reconnects`, async () => {
    const server = await h.server()
    const client = await h.client(server)
    for (let i = 0; i < MAX_FAILED_PROOFS; i++) {
      client.send({ type: 'subscribe', topics: ['room'], peer: idOf('alice'), proof: proofFor({ challenge: `old ${i}` }, 'alice') })
      expect(await client.next('error')).toMatchObject({ code: 'unproven-peer', reason: expect.stringMatching(/signature/) })
    }
    client.send(provenSubscribe(client, 'alice', ['room']))
    expect(await client.next('error')).toMatchObject({ code: 'unproven-peer', reason: `${MAX_FAILED_PROOFS} proofs failed on this connection: reconnect for a new challenge` })
    const fresh = await h.client(server)
    fresh.send(provenSubscribe(fresh, 'alice', ['room']))
    await fresh.next('subscribed')
  })

  it('still lets stock y-webrtc clients in without `peer`, binding the random ids they announce', async () => {
    const server = await h.server()
    const y1 = await h.member(server, 'doc')
    const y2 = await h.member(server, 'doc')
    y1.send({ type: 'publish', topic: 'doc', data: { type: 'announce', from: '6f1c2a3b-y1' } })
    expect(await y2.next('peer-joined')).toMatchObject({ peer: '6f1c2a3b-y1' })
    y2.send({ type: 'publish', topic: 'doc', data: { type: 'signal', from: 'y2', to: '6f1c2a3b-y1', n: 1 } })
    expect((await y1.next('publish')).data).toMatchObject({ n: 1 })
    expect(server.snapshot().rejected['unproven-peer']).toBe(0)
  })
})
