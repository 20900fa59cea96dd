import { createHmac } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyAdminCertificate, verifySubjectCertificate, type SubjectCertificate } from '@tessera/core'
import { parseAdminGrants } from '../src/admins.ts'
import { Certification } from '../src/certification.ts'
import { resolveOptions } from '../src/options.ts'
import type { ServerFrame } from '../src/protocol.ts'
import { deriveServerKeys } from '../src/server-keys.ts'
import type { SignalingServer } from '../src/server.ts'
import { signRoomToken, verifyRoomToken } from '../src/tokens.ts'
import { Harness, type TestClient } from './support/client.ts'
import { idOf, provenSubscribe } from './support/identities.ts'

const secret = 'admins-test-secret-0123456789'
const h = new Harness()
afterEach(() => h.cleanup())

type Outcome = Extract<ServerFrame, { type: 'subscribed' } | { type: 'error' }>

async function certified(server: SignalingServer, name: string, topic: string, token?: string): Promise<{ client: TestClient; certificate: SubjectCertificate }> {
  const client = await h.client(server)
  client.send(provenSubscribe(client, name, [topic], token === undefined ? {} : { token }))
  await client.sync()
  const answer = client.pending().find((frame): frame is Outcome => frame.type === 'subscribed' || frame.type === 'error')
  client.clear()
  if (answer?.type !== 'subscribed' || answer.self?.certificate === undefined) throw new Error(`${name} not certified: ${JSON.stringify(answer)}`)
  return { client, certificate: answer.self.certificate }
}

const isAdmin = (server: SignalingServer, certificate: SubjectCertificate, room: string): boolean =>
  verifyAdminCertificate(certificate, { issuers: [server.issuer], room, since: Date.now() }) !== undefined

describe('admin certificates are issued only as the operator configured', () => {
  it('to keys named for every room or for one room, and to nobody else', async () => {
    const server = await h.server({ secret, admins: parseAdminGrants(`${idOf('root')}, lab-b=${idOf('bea')}`) })
    const root = await certified(server, 'root', 'lab-a')
    expect(root.certificate).toMatchObject({ peer: idOf('root'), admin: true })
    expect(isAdmin(server, root.certificate, 'lab-a')).toBe(true)
    // Named for every room: private ones too, whatever its token says.
    const rootPrivate = await certified(server, 'root', 'private:x', signRoomToken({ secret, room: 'private:x', expiresInSeconds: 600 }))
    expect(rootPrivate.certificate.admin).toBe(true)
    // Named for one room: an admin there only.
    expect((await certified(server, 'bea', 'lab-b')).certificate.admin).toBe(true)
    const beaElsewhere = await certified(server, 'bea', 'lab-a')
    expect('admin' in beaElsewhere.certificate).toBe(false)
    expect(verifySubjectCertificate(beaElsewhere.certificate, { issuers: [server.issuer], room: 'lab-a', now: Date.now() })).toMatchObject({ ok: true })
    // Anyone else: an ordinary certificate, and the room sees each as issued.
    const alice = await certified(server, 'alice', 'lab-a')
    expect('admin' in alice.certificate).toBe(false)
    expect(isAdmin(server, alice.certificate, 'lab-a')).toBe(false)
    const joined = await root.client.next('peer-joined')
    expect(joined.certificate).toEqual(beaElsewhere.certificate)
    // A server with no admins configured certifies nobody as one, the named keys included.
    const plain = await h.server({ secret })
    expect('admin' in (await certified(plain, 'root', 'lab-a')).certificate).toBe(false)
  })

  it('to holders of an admin room token, in its private room only', async () => {
    const server = await h.server({ secret })
    const room = 'private:lab'
    const adminToken = signRoomToken({ secret, room, expiresInSeconds: 600, subject: 'ops', admin: true })
    expect(verifyRoomToken({ secret, token: adminToken, room })).toMatchObject({ ok: true, payload: { subject: 'ops', admin: true } })
    const ops = await certified(server, 'ops-host', room, adminToken)
    expect(ops.certificate).toMatchObject({ subject: 'ops', admin: true })
    expect(isAdmin(server, ops.certificate, room)).toBe(true)
    expect(isAdmin(server, ops.certificate, 'private:other')).toBe(false)
    const member = await certified(server, 'member', room, signRoomToken({ secret, room, expiresInSeconds: 600, subject: 'member' }))
    expect('admin' in member.certificate).toBe(false)
    // Only `true` makes an admin token: any other value is a malformed token, even signed with the secret.
    const body = Buffer.from(JSON.stringify({ room, exp: Date.now() / 1000 + 600, admin: 'yes' })).toString('base64url')
    const odd = `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
    expect(verifyRoomToken({ secret, token: odd, room })).toEqual({ ok: false, reason: 'token malformed' })
  })

  it('keeps the flag across renewals, and signs afresh when the configuration says otherwise', () => {
    const HOUR = 3_600_000
    const T0 = 1_800_000_000_000
    let named = true
    const book = new Certification<object>({ maxIdentitiesPerSubject: 8, certificateLifetimeMs: HOUR, capLoopbackIdentities: false, ipv6SubjectPrefix: 64, isAdmin: () => named }, deriveServerKeys(secret))
    const conn = {}
    book.remember(conn, 'room', book.claimFor(conn))
    expect(book.bound(conn, 'room', idOf('root'), T0)?.certificate.admin).toBe(true)
    const renewed = book.renew(conn, 'room', idOf('root'), T0 + HOUR / 2)
    expect(typeof renewed !== 'string' && renewed.certificate.admin).toBe(true)
    named = false
    const demoted = book.renew(conn, 'room', idOf('root'), T0 + HOUR / 2 + 1)
    expect(demoted).toMatchObject({ issued: true })
    expect(typeof demoted !== 'string' && 'admin' in demoted.certificate).toBe(false)
  })
})

describe('--admin', () => {
  it('reads peer ids and room=peer id pairs, and refuses anything that names no key at start-up', () => {
    expect(parseAdminGrants(` ${idOf('root')} ,private:a=b=${idOf('bea')},`)).toEqual([{ peer: idOf('root') }, { room: 'private:a=b', peer: idOf('bea') }])
    expect(parseAdminGrants('')).toEqual([])
    expect(() => parseAdminGrants('root')).toThrow(/not a key peer id/)
    expect(() => parseAdminGrants(`=${idOf('root')}`)).toThrow(/room before "=" is empty/)
    expect(() => resolveOptions({ admins: [{ peer: 'k-not-a-key' }] })).toThrow(TypeError)
    expect(resolveOptions({ admins: [{ room: 'lab', peer: idOf('bea') }] }).isAdmin('lab', idOf('bea'))).toBe(true)
    expect(resolveOptions({ admins: [{ room: 'lab', peer: idOf('bea') }] }).isAdmin('lab2', idOf('bea'))).toBe(false)
  })
})
