import { describe, expect, it } from 'vitest'
import { verifySubjectCertificate } from '@tessera/core'
import { Certification } from '../src/certification.ts'
import { networkPrefix, isLoopbackAddress } from '../src/network-prefix.ts'
import { deriveServerKeys } from '../src/server-keys.ts'
import { idOf } from './support/identities.ts'

const HOUR = 3_600_000
const T0 = 1_800_000_000_000
const config = { maxIdentitiesPerSubject: 2, certificateLifetimeMs: HOUR, capLoopbackIdentities: false, ipv6SubjectPrefix: 64 }

interface Conn {
  readonly address?: string
}

function certification(overrides: Partial<typeof config> = {}) {
  let issued = 0
  const book = new Certification<Conn>({ ...config, ...overrides }, deriveServerKeys('certification-test-secret'), () => (issued += 1))
  return { book, issued: () => issued }
}

describe('certification: subjects, caps and certificates without sockets', () => {
  it('renews only past half a certificate life, and each renewal verifies', () => {
    const { book, issued } = certification()
    const conn: Conn = { address: '203.0.113.7' }
    book.remember(conn, 'room', book.claimFor(conn))
    const first = book.bound(conn, 'room', idOf('alice'), T0)
    expect(first).toMatchObject({ issued: true, certificate: { notBefore: T0, notAfter: T0 + HOUR } })
    expect(book.renew(conn, 'room', idOf('alice'), T0 + HOUR / 2 - 1)).toEqual({ issued: false, certificate: first?.certificate })
    const second = book.renew(conn, 'room', idOf('alice'), T0 + HOUR / 2)
    expect(second).toMatchObject({ issued: true, certificate: { notBefore: T0 + HOUR / 2, notAfter: T0 + 1.5 * HOUR } })
    expect(issued()).toBe(2)
    if (typeof second === 'string' || second === undefined) throw new Error('not renewed')
    expect(verifySubjectCertificate(second.certificate, { issuers: [book.issuer.peer], room: 'room', now: T0 + HOUR, peer: idOf('alice') })).toMatchObject({ ok: true })
    // Ids that are not keys count under the subject but get no certificate (they could sign nothing).
    expect(book.bound(conn, 'room', 'y-webrtc-id', T0)).toBeUndefined()
    expect(book.count('room', book.claimFor(conn).subject)).toBe(2)
  })

  it('stops certifying a token holder when the token expires', () => {
    const { book } = certification()
    const conn: Conn = { address: '203.0.113.7' }
    const exp = (T0 + HOUR / 4) / 1000
    const claim = book.claimFor(conn, { payload: { room: 'private:lab', exp, subject: 'alice' }, text: 'unused' })
    expect(claim).toEqual({ subject: 'alice', until: T0 + HOUR / 4, capped: true })
    book.remember(conn, 'private:lab', claim)
    expect(book.bound(conn, 'private:lab', idOf('alice'), T0)?.certificate).toMatchObject({ subject: 'alice', notAfter: T0 + HOUR / 4 })
    expect(book.renew(conn, 'private:lab', idOf('alice'), T0 + HOUR / 4)).toMatch(/room token .* has expired/)
  })

  it('caps ids per subject and room, counting a moved id once, and exempts loopback unless told', () => {
    const { book } = certification()
    const [a, b, c] = [{ address: '198.51.100.1' }, { address: '::ffff:198.51.100.1' }, { address: '198.51.100.1' }]
    const claim = book.claimFor(a)
    expect(book.claimFor(b)).toEqual(claim)
    for (const [conn, name] of [[a, 'one'], [b, 'two']] as const) {
      book.remember(conn, 'room', claim)
      book.bound(conn, 'room', idOf(name), T0)
    }
    expect(book.capRefusal('room', idOf('three'), claim)).toMatch(/already has 2 peer ids in room "room"/)
    expect(book.capRefusal('other', idOf('three'), claim)).toBeUndefined()
    // 'one' moving to a third connection is still one identity.
    expect(book.capRefusal('room', idOf('one'), claim)).toBeUndefined()
    book.remember(c, 'room', claim)
    book.bound(c, 'room', idOf('one'), T0)
    book.displaced(a, 'room')
    expect(book.certificateOf(a, 'room')).toBeUndefined()
    expect(book.count('room', claim.subject)).toBe(2)
    book.unbound('room', idOf('two'))
    expect(book.capRefusal('room', idOf('three'), claim)).toBeUndefined()

    expect(book.claimFor({ address: '127.0.0.1' }).capped).toBe(false)
    expect(book.claimFor({ address: '::1' }).capped).toBe(false)
    expect(certification({ capLoopbackIdentities: true }).book.claimFor({ address: '127.0.0.1' }).capped).toBe(true)
  })

  it('hashes IPv4 addresses and IPv6 prefixes of the configured length', () => {
    expect(networkPrefix('::ffff:203.0.113.7')).toBe('203.0.113.7')
    expect(networkPrefix('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64')
    expect(networkPrefix('2001:db8:1:2ff::1', 56)).toBe('2001:db8:1:200::/56')
    expect(networkPrefix('2001:db8:1:2ff::1', 48)).toBe('2001:db8:1::/48')
    const subject = (address: string, ipv6SubjectPrefix = 64) => certification({ ipv6SubjectPrefix }).book.claimFor({ address }).subject
    expect(subject('2001:db8:1:201::1', 56)).toBe(subject('2001:db8:1:2ff::9', 56))
    expect(subject('2001:db8:1:201::1')).not.toBe(subject('2001:db8:1:2ff::9'))
    expect([isLoopbackAddress('127.3.4.5'), isLoopbackAddress('::ffff:127.0.0.1'), isLoopbackAddress('::1'), isLoopbackAddress('10.0.0.1'), isLoopbackAddress(undefined)]).toEqual([
      true,
      true,
      true,
      false,
      false,
    ])
  })
})
