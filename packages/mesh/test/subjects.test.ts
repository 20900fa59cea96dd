import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { Identity, issueSubjectCertificate, verifySubjectCertificate, type PeerId } from '@tessera/core'
import { Mesh, SignalingClient } from '@tessera/mesh'
import { nodeRtc, nodeWebSocket } from '@tessera/mesh/node'
import { signRoomToken, startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { waitFor } from './support/swarm.ts'

const SECRET = 'a secret of the operator, 32+ chars'
let signaling: SignalingServer | undefined
const closers: Array<() => unknown> = []

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
  await signaling?.close()
  signaling = undefined
})

function join(room: string, token: string): Mesh {
  const mesh = new Mesh({
    signaling: (signaling as SignalingServer).url,
    room,
    token,
    identity: Identity.generate(),
    meta: { kind: 'node' },
    rtc: nodeRtc,
    WebSocket: nodeWebSocket,
    maintainMs: 200,
  })
  closers.push(() => mesh.close())
  return mesh
}

describe('peers learn each other subjects', () => {
  it("two Node peers with tokens for subjects A and B see each other's subjects, verified against the server's issuer", async () => {
    signaling = await startSignalingServer({ port: 0, secret: SECRET })
    const room = 'private:lab'
    const token = (subject: string) => signRoomToken({ secret: SECRET, room, expiresInSeconds: 7200, subject })
    const a = join(room, token('A'))
    const b = join(room, token('B'))
    await Promise.all([a.ready, b.ready])
    const [ida, idb] = [a.self, b.self] as [PeerId, PeerId]
    await waitFor('each roster to certify the other', () => a.roster.subjectOf(idb) !== undefined && b.roster.subjectOf(ida) !== undefined)
    expect([a.roster.subjectOf(ida), a.roster.subjectOf(idb)]).toEqual(['A', 'B'])
    expect([b.roster.subjectOf(ida), b.roster.subjectOf(idb)]).toEqual(['A', 'B'])
    expect(a.roster.issuers).toEqual([signaling.issuer])

    // Each holds the other's certificate as the server signed it: what a record can carry.
    const certificate = a.roster.certificateOf(idb)
    expect(certificate).toEqual(b.roster.certificateOf(idb))
    expect(verifySubjectCertificate(certificate, { issuers: [signaling.issuer], room, peer: idb, now: Date.now() })).toMatchObject({ ok: true, certificate: { subject: 'B' } })

    // A third peer under subject A is one more identity of A, not a new subject.
    const c = join(room, token('A'))
    await c.ready
    await waitFor('b to certify c', () => b.roster.subjectOf(c.self) !== undefined)
    expect(b.roster.subjectOf(c.self)).toBe('A')
    await c.close()
    await waitFor('c to leave b roster', () => b.roster.subjectOf(c.self) === undefined)
  })
})

describe('the signaling client renews its certificate', () => {
  it('asks three quarters into its life, and hands renewed certificates to the roster', async () => {
    // A stand-in server whose certificates live 2 s, far below what a real server allows, so the renewal comes soon.
    const issuer = Identity.fromSeed('renewal-test issuer')
    const wss = new WebSocketServer({ port: 0 })
    closers.push(() => new Promise((resolve) => wss.close(resolve)))
    const port = (wss.address() as { port: number }).port
    const renewals: number[] = []
    const certify = (peer: string, now: number) => issueSubjectCertificate(issuer, { peer, subject: 'A', room: 'room', notBefore: now, notAfter: now + 2_000 })
    wss.on('connection', (ws: WebSocket) => {
      ws.send(JSON.stringify({ type: 'welcome', challenge: 'c2hhbGxvdw', iceServers: [], maxPayload: 65_536, maxRooms: 8, issuer: issuer.peer }))
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; peer?: string; topics?: string[] }
        if (frame.type === 'subscribe' && frame.peer !== undefined) {
          peer = frame.peer
          ws.send(JSON.stringify({ type: 'subscribed', topic: 'room', peers: [], self: { peer, meta: {}, origin: 'o', certificate: certify(peer, Date.now()) } }))
        }
        if (frame.type === 'renew') {
          renewals.push(Date.now())
          ws.send(JSON.stringify({ type: 'certificate', topic: 'room', peer, certificate: certify(peer, Date.now()) }))
        }
      })
    })
    let peer = ''
    const certified: unknown[] = []
    const client = new SignalingClient(
      { url: `ws://127.0.0.1:${port}`, room: 'room', identity: Identity.generate(), meta: { kind: 'node' }, WebSocket: nodeWebSocket },
      { roster: () => {}, joined: () => {}, left: () => {}, signal: () => {}, refused: () => {}, connected: () => {}, certified: (_, certificate) => certified.push(certificate) },
    )
    closers.push(() => client.close())
    const joinedAt = Date.now()
    await client.ready
    await waitFor('two renewals', () => renewals.length >= 2, 6_000)
    expect(renewals[0]! - joinedAt).toBeGreaterThanOrEqual(1_400)
    expect(renewals[0]! - joinedAt).toBeLessThan(1_900)
    expect(certified.length).toBeGreaterThanOrEqual(1)
    expect(verifySubjectCertificate(certified[0], { issuers: [issuer.peer], room: 'room', peer, now: Date.now() })).toMatchObject({ ok: true })
  })
})
