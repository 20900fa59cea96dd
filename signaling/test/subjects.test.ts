import { createHmac } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { verifySubjectCertificate, type SubjectCertificate } from '@tessera/core'
import { issuerOfSecret } from '../src/server-keys.ts'
import { signRoomToken, tokenSubject, verifyRoomToken } from '../src/tokens.ts'
import type { ServerFrame } from '../src/protocol.ts'
import type { SignalingServer } from '../src/server.ts'
import { getText, Harness, metric, TestClient } from './support/client.ts'
import { idOf, provenSubscribe } from './support/identities.ts'

const secret = 'subjects-test-secret-0123456789'
const h = new Harness()
afterEach(() => h.cleanup())

const token = (room: string, fields: { subject?: string; peer?: string; expiresInSeconds?: number } = {}) =>
  signRoomToken({ secret, room, expiresInSeconds: fields.expiresInSeconds ?? 7200, ...(fields.subject === undefined ? {} : { subject: fields.subject }), ...(fields.peer === undefined ? {} : { peer: idOf(fields.peer) }) })

type Outcome = Extract<ServerFrame, { type: 'subscribed' } | { type: 'error' }>

/** Subscribes `name`'s key id on a new connection and returns the client and the server's answer (subscribed or error). */
async function attempt(server: SignalingServer, name: string, topic: string, extra: { token?: string } = {}): Promise<{ client: TestClient; answer: Outcome }> {
  const client = await h.client(server)
  client.send(provenSubscribe(client, name, [topic], extra))
  await client.sync()
  const answer = client.pending().find((frame): frame is Outcome => frame.type === 'subscribed' || frame.type === 'error')
  if (answer === undefined) throw new Error(`no answer for ${name}: ${JSON.stringify(client.pending())}`)
  client.clear()
  return { client, answer }
}

function certificateIn(answer: Outcome): SubjectCertificate {
  if (answer.type !== 'subscribed' || answer.self?.certificate === undefined) throw new Error(`not certified: ${JSON.stringify(answer)}`)
  return answer.self.certificate
}

const verify = (server: SignalingServer, certificate: unknown, room: string) => verifySubjectCertificate(certificate, { issuers: [server.issuer], room, now: Date.now() })

describe('the issuer', () => {
  it('announces its key in welcome: derived from the secret, so instances agree; random per start without one', async () => {
    const [one, two, loose, looser] = await Promise.all([h.server({ secret }), h.server({ secret }), h.server(), h.server()])
    expect(one.issuer).toBe(two.issuer)
    expect(one.issuer).toBe(issuerOfSecret(secret))
    expect(loose.issuer).not.toBe(looser.issuer)
    expect(loose.issuer).not.toBe(one.issuer)
    const client = h.track(await TestClient.connect(one.url))
    expect(await client.next('welcome')).toMatchObject({ issuer: one.issuer })

    // A certificate from one instance verifies against the other's announced issuer, and tags and network subjects agree.
    const first = await attempt(one, 'alice', 'room')
    const second = await attempt(two, 'bob', 'room')
    expect(verify(two, certificateIn(first.answer), 'room')).toMatchObject({ ok: true })
    expect(certificateIn(first.answer).subject).toBe(certificateIn(second.answer).subject)
    expect(first.answer.type === 'subscribed' && first.answer.self?.origin).toBe(second.answer.type === 'subscribed' && second.answer.self?.origin)
    const other = await attempt(loose, 'carol', 'room')
    expect(certificateIn(other.answer).subject).not.toBe(certificateIn(first.answer).subject)
    expect(verify(one, certificateIn(other.answer), 'room')).toEqual({ ok: false, reason: 'unknown issuer' })
  })
})

describe('subjects', () => {
  it("certifies token holders as the token's subject, and every peer sees the others' certificates", async () => {
    const server = await h.server({ secret })
    const room = 'private:lab'
    const a = await attempt(server, 'alice', room, { token: token(room, { subject: 'A' }) })
    const b = await attempt(server, 'bob', room, { token: token(room, { subject: 'B' }) })
    const mine = certificateIn(a.answer)
    expect(mine).toMatchObject({ v: 1, peer: idOf('alice'), subject: 'A', room, issuer: server.issuer })
    expect(mine.notAfter - mine.notBefore).toBe(3_600_000)
    expect(verify(server, mine, room)).toMatchObject({ ok: true })
    // Bob's subscribed lists Alice with her certificate; Alice hears of Bob's in peer-joined.
    expect(b.answer).toMatchObject({ peers: [{ peer: idOf('alice'), certificate: mine }], self: { certificate: { subject: 'B' } } })
    const joined = await a.client.next('peer-joined')
    expect(joined.certificate).toMatchObject({ peer: idOf('bob'), subject: 'B' })
    expect(verify(server, joined.certificate, room)).toMatchObject({ ok: true })
    // A certificate is for its room only.
    expect(verify(server, mine, 'private:other')).toEqual({ ok: false, reason: 'wrong room' })
  })

  it('gives old tokens a derived subject: one per unpinned token, one per pinned peer', () => {
    const room = 'private:lab'
    const subjectOf = (text: string) => {
      const verdict = verifyRoomToken({ secret, token: text, room, peer: idOf('alice') })
      if (!verdict.ok) throw new Error(verdict.reason)
      return tokenSubject(verdict.payload, text)
    }
    const shared = token(room)
    expect(subjectOf(shared)).toMatch(/^token:[\w-]{22}$/)
    expect(subjectOf(shared)).toBe(subjectOf(shared))
    expect(subjectOf(token(room, { expiresInSeconds: 7201 }))).not.toBe(subjectOf(shared))
    // Pinned: the same subject however often the peer's token is reissued.
    expect(subjectOf(token(room, { peer: 'alice' }))).toBe(subjectOf(token(room, { peer: 'alice', expiresInSeconds: 900 })))
    expect(subjectOf(token(room, { peer: 'alice' }))).not.toBe(subjectOf(shared))
    expect(subjectOf(token(room, { subject: 'alice', peer: 'alice' }))).toBe('alice')
    // A payload whose subject a name could not be is malformed (it could pass for a derived one).
    const body = Buffer.from(JSON.stringify({ room, exp: Date.now() / 1000 + 60, subject: 'net:x' })).toString('base64url')
    const forged = `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
    expect(verifyRoomToken({ secret, token: forged, room })).toEqual({ ok: false, reason: 'token malformed' })
  })

  it('certifies public-room peers as a hash of their network (local: on loopback), the same for one address', async () => {
    const server = await h.server()
    const a = certificateIn((await attempt(server, 'alice', 'public')).answer)
    const b = certificateIn((await attempt(server, 'bob', 'public')).answer)
    expect(a.subject).toMatch(/^local:[\w-]{16}$/)
    expect(b.subject).toBe(a.subject)
    expect(a.subject).not.toContain('127')
  })

  it('ends a certificate no later than the token that admitted it', async () => {
    const server = await h.server({ secret })
    const room = 'private:lab'
    const text = token(room, { subject: 'A', expiresInSeconds: 120 })
    const exp = JSON.parse(Buffer.from(text.split('.')[0] as string, 'base64url').toString()) as { exp: number }
    const certificate = certificateIn((await attempt(server, 'alice', room, { token: text })).answer)
    expect(certificate.notAfter).toBe(exp.exp * 1000)
  })
})

describe('live identities per subject', () => {
  it('binds at most 8 of 200 identities one process opens from one address in a public room', async () => {
    const server = await h.server({ capLoopbackIdentities: true })
    const watcher = await h.member(server, 'public')
    const started = performance.now()
    const answers: Outcome[] = []
    for (let batch = 0; batch < 200; batch += 20) {
      const round = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(server, `sybil ${batch + i}`, 'public')))
      answers.push(...round.map((r) => r.answer))
    }
    const elapsed = performance.now() - started
    const bound = answers.filter((answer) => answer.type === 'subscribed')
    const refused = answers.filter((answer) => answer.type === 'error')
    expect(bound).toHaveLength(8)
    expect(refused).toHaveLength(192)
    expect(refused[0]).toMatchObject({ code: 'too-many-identities', topic: 'public', reason: expect.stringMatching(/already has 8 peer ids in room "public"/) })
    // Refused as a whole: the others are not even unbound members.
    expect(server.snapshot()).toMatchObject({ rejected: { 'too-many-identities': 192 }, certificatesIssued: 8 })
    await watcher.sync()
    expect(watcher.pending().filter((f) => f.type === 'peer-joined')).toHaveLength(8)
    console.log(`200 identities from one address: 8 bound, 192 refused in ${elapsed.toFixed(0)} ms`)
  })

  it('frees a place when an identity leaves, and lets a bound one subscribe again', async () => {
    const server = await h.server({ capLoopbackIdentities: true, maxIdentitiesPerSubject: 2 })
    const watcher = await h.member(server, 'public')
    const first = await attempt(server, 'one', 'public')
    await attempt(server, 'two', 'public')
    expect((await attempt(server, 'three', 'public')).answer).toMatchObject({ type: 'error', code: 'too-many-identities' })
    // The same id again (a re-subscribe, or its reconnect) is no new identity.
    first.client.send(provenSubscribe(first.client, 'one', ['public']))
    expect(await first.client.next('subscribed')).toMatchObject({ self: { peer: idOf('one') } })
    const moved = await attempt(server, 'one', 'public')
    expect(moved.answer).toMatchObject({ type: 'subscribed' })
    // Its old connection closing frees nothing: the id lives on in the new one.
    first.client.close()
    expect((await attempt(server, 'three', 'public')).answer).toMatchObject({ type: 'error', code: 'too-many-identities' })
    moved.client.close()
    await watcher.next('peer-left', (f) => f.peer === idOf('one'))
    expect((await attempt(server, 'three', 'public')).answer).toMatchObject({ type: 'subscribed' })
  })

  it('caps token subjects in private rooms too, and counts each subject apart', async () => {
    const server = await h.server({ secret, maxIdentitiesPerSubject: 3 })
    const room = 'private:lab'
    const shared = token(room, { subject: 'alice' })
    for (const name of ['a1', 'a2', 'a3']) expect((await attempt(server, name, room, { token: shared })).answer.type).toBe('subscribed')
    expect((await attempt(server, 'a4', room, { token: token(room, { subject: 'alice', expiresInSeconds: 900 }) })).answer).toMatchObject({ code: 'too-many-identities' })
    expect((await attempt(server, 'b1', room, { token: token(room, { subject: 'bob' }) })).answer.type).toBe('subscribed')
    // Loopback is exempt only from network subjects: a token's subject is capped wherever it connects from.
    const legacy = token(room)
    for (const name of ['l1', 'l2', 'l3']) expect((await attempt(server, name, room, { token: legacy })).answer.type).toBe('subscribed')
    expect((await attempt(server, 'l4', room, { token: legacy })).answer).toMatchObject({ code: 'too-many-identities' })
  })

  it('leaves loopback uncapped by default (npm start, tests), and caps ids bound by announce too', async () => {
    const server = await h.server({ maxIdentitiesPerSubject: 2 })
    for (const name of ['l1', 'l2', 'l3', 'l4']) expect((await attempt(server, name, 'public')).answer.type).toBe('subscribed')
    const capped = await h.server({ maxIdentitiesPerSubject: 2, capLoopbackIdentities: true })
    const watcher = await h.member(capped, 'doc')
    const ys = await Promise.all([h.member(capped, 'doc'), h.member(capped, 'doc'), h.member(capped, 'doc')])
    ys.forEach((y, i) => y.send({ type: 'publish', topic: 'doc', data: { type: 'announce', from: `y${i}` } }))
    for (const y of ys) await y.sync()
    await watcher.sync()
    expect(watcher.pending().filter((f) => f.type === 'peer-joined').map((f) => (f as { peer: string }).peer)).toEqual(['y0', 'y1'])
    expect(await ys[2]!.next('error')).toMatchObject({ code: 'too-many-identities', topic: 'doc' })
    // A key id bound by announce (after proving it elsewhere) is certified like a subscribed one.
    const keyed = await h.member(capped, 'other', 'kay')
    keyed.send({ type: 'subscribe', topics: ['third'] })
    await keyed.next('subscribed')
    const third = await h.member(capped, 'third')
    keyed.send({ type: 'publish', topic: 'third', data: { type: 'announce', from: idOf('kay') } })
    const joined = await third.next('peer-joined')
    expect(verify(capped, joined.certificate, 'third')).toMatchObject({ ok: true, certificate: { peer: idOf('kay') } })
  })
})

describe('renewal', () => {
  it('answers renew with the current certificate while it is fresh, signing nothing new', async () => {
    const server = await h.server()
    const { client, answer } = await attempt(server, 'alice', 'room')
    const other = await attempt(server, 'bob', 'room')
    client.send({ type: 'renew', topics: ['room'] })
    expect(await client.next('certificate')).toEqual({ type: 'certificate', topic: 'room', peer: idOf('alice'), certificate: certificateIn(answer) })
    await other.client.sync()
    expect(other.client.pending().filter((f) => f.type === 'certificate')).toEqual([])
    // A re-subscribe reuses it too.
    client.send(provenSubscribe(client, 'alice', ['room']))
    expect(certificateIn(await client.next('subscribed'))).toEqual(certificateIn(answer))
    expect(server.snapshot().certificatesIssued).toBe(2)
    expect(metric((await getText(`${server.httpUrl}/metrics`)).body, 'tessera_signaling_certificates_issued_total')).toBe(2)
    // Nothing to renew where it is not bound.
    client.send({ type: 'renew', topics: ['elsewhere'] })
    expect(await client.next('error')).toMatchObject({ code: 'not-subscribed', topic: 'elsewhere' })
  })
})
