import * as prng from 'lib0/prng'
import { describe, expect, it } from 'vitest'
import { asPeerId, Identity, issueSubjectCertificate, Roster, verifySubjectCertificate, type PeerId } from '@tessera/core'
import { SIM_ROOM, SimClock, SimPeer, SimulatedNetwork, simIssuer } from '@tessera/core/testing'

const issuer = Identity.fromSeed('roster-test issuer')
const stranger = Identity.fromSeed('roster-test stranger')
const alice = Identity.fromSeed('roster-test alice').peer
const bob = Identity.fromSeed('roster-test bob').peer
const HOUR = 3_600_000
const T0 = 1_800_000_000_000

function certify(peer: PeerId, subject: string, options: { room?: string; signer?: Identity; notBefore?: number } = {}) {
  const notBefore = options.notBefore ?? T0
  return issueSubjectCertificate(options.signer ?? issuer, { peer, subject, room: options.room ?? 'lab', notBefore, notAfter: notBefore + HOUR })
}

function rosterAt(clock: { now: number }): Roster {
  const roster = new Roster({ room: 'lab', now: () => clock.now })
  roster.trustIssuer(issuer.peer)
  return roster
}

describe('the roster records each peer subject the rendezvous certified', () => {
  it('keeps the subject of a valid certificate, and none for a forged, misplaced or borrowed one', () => {
    const clock = { now: T0 + 1000 }
    const roster = rosterAt(clock)
    roster.replace([
      [alice, { origin: 'o1', certificate: certify(alice, 'alice') }],
      [bob, { origin: 'o2', certificate: certify(bob, 'bob') }],
    ])
    expect([roster.subjectOf(alice), roster.subjectOf(bob)]).toEqual(['alice', 'bob'])
    expect(roster.certificateOf(alice)).toEqual(certify(alice, 'alice'))

    const refused: Array<[string, unknown]> = [
      ['signed by a stranger', certify(bob, 'alice', { signer: stranger })],
      ['for another room', certify(bob, 'alice', { room: 'other' })],
      ["alice's certificate under bob's id", certify(alice, 'alice')],
      ['a tampered subject', { ...certify(bob, 'bob'), subject: 'alice' }],
      ['garbage', { v: 1, peer: bob, subject: 'alice' }],
    ]
    for (const [label, certificate] of refused) {
      roster.set(bob, { origin: 'o2', certificate })
      expect(roster.subjectOf(bob), label).toBeUndefined()
      expect(roster.certificateOf(bob), label).toBeUndefined()
      // The origin the rendezvous stamped still counts: only the certificate is ignored.
      expect(roster.originOf(bob), label).toBe('o2')
    }
  })

  it('lets a subject lapse with its certificate, and takes a renewed one', () => {
    const clock = { now: T0 + 1000 }
    const roster = rosterAt(clock)
    const changes: PeerId[][] = []
    roster.onChange((peers) => changes.push([...peers]))
    roster.set(alice, { origin: 'o1', certificate: certify(alice, 'alice') })
    clock.now = T0 + 2 * HOUR
    expect(roster.subjectOf(alice)).toBeUndefined()
    // A renewal must itself be valid now; a stale or foreign one leaves nothing new.
    roster.certify(alice, certify(alice, 'alice'))
    roster.certify(alice, certify(alice, 'alice', { signer: stranger, notBefore: T0 + 1.5 * HOUR }))
    expect(roster.subjectOf(alice)).toBeUndefined()
    roster.certify(alice, certify(alice, 'alice', { notBefore: T0 + 1.5 * HOUR }))
    expect(roster.subjectOf(alice)).toBe('alice')
    expect(roster.originOf(alice)).toBe('o1')
    expect(changes).toEqual([[alice], [alice]])
    // Not for a peer the rendezvous does not list.
    roster.certify(bob, certify(bob, 'bob', { notBefore: T0 + 1.5 * HOUR }))
    expect(roster.subjectOf(bob)).toBeUndefined()
  })

  it('believes only the issuers it was told of, and remembers earlier ones', () => {
    const clock = { now: T0 + 1000 }
    const untold = new Roster({ room: 'lab', now: () => clock.now })
    untold.set(alice, { certificate: certify(alice, 'alice') })
    expect(untold.subjectOf(alice)).toBeUndefined()
    expect(untold.originOf(alice)).toBeUndefined()

    const roster = rosterAt(clock)
    roster.trustIssuer(stranger.peer)
    expect(roster.issuers).toEqual([issuer.peer, stranger.peer])
    roster.set(alice, { certificate: certify(alice, 'alice') })
    roster.set(bob, { certificate: certify(bob, 'bob', { signer: stranger }) })
    expect([roster.subjectOf(alice), roster.subjectOf(bob)]).toEqual(['alice', 'bob'])
    // Without a room, certificates are ignored altogether (a roster that only counts origins).
    const plain = new Roster()
    plain.trustIssuer(issuer.peer)
    plain.replace([[alice, 'o1'], [bob, { origin: 'o2', certificate: certify(bob, 'bob') }]])
    expect([plain.originOf(alice), plain.originOf(bob), plain.subjectOf(bob)]).toEqual(['o1', 'o2', undefined])
  })
})

describe('simulated peers are certified by the simulated rendezvous', () => {
  it('certifies each peer as its name by default, or as the subject it is given', async () => {
    const clock = new SimClock()
    const network = new SimulatedNetwork(clock, prng.create(7))
    const peer = (name: string, subject?: string) =>
      new SimPeer({ name, network, clock, random: prng.create(name.length), ...(subject === undefined ? {} : { subject }) })
    const [a, b, c] = [peer('a'), peer('b', 'lab'), peer('c', 'lab')]
    for (const viewer of [a, b, c]) {
      expect([a, b, c].map((p) => viewer.roster.subjectOf(p.id))).toEqual(['a', 'lab', 'lab'])
    }
    const certificate = a.roster.certificateOf(c.id)
    expect(verifySubjectCertificate(certificate, { issuers: [simIssuer.peer], room: SIM_ROOM, peer: c.id, now: clock.now() })).toMatchObject({ ok: true })
    // What a record carrying c's certificate proves to any peer, during the simulation or after.
    expect(b.roster.subjectOfRecord(c.id, certificate)).toBe('lab')
    expect(b.roster.subjectOfRecord(a.id, certificate)).toBeUndefined()
    expect(b.roster.room).toBe(SIM_ROOM)
    expect(a.roster.issuers).toEqual([simIssuer.peer])
    await c.close()
    expect(a.roster.subjectOf(c.id)).toBeUndefined()
    expect(a.roster.subjectOf(asPeerId(b.id))).toBe('lab')
    await Promise.all([a.close(), b.close()])
  })
})
