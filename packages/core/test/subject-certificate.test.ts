import { describe, expect, it } from 'vitest'
import {
  certifiedSubject,
  DEFAULT_CLOCK_SKEW_MS,
  Identity,
  issueSubjectCertificate,
  isSubjectName,
  subjectCertificateMessage,
  verifySubjectCertificate,
  type SubjectCertificate,
  type VerifyCertificateOptions,
} from '@tessera/core'

const issuer = Identity.fromSeed('certificate-test issuer')
const stranger = Identity.fromSeed('certificate-test stranger')
const peer = Identity.fromSeed('certificate-test peer').peer
const other = Identity.fromSeed('certificate-test other').peer
const HOUR = 3_600_000
const T0 = 1_800_000_000_000

const certificate = issueSubjectCertificate(issuer, { peer, subject: 'alice', room: 'private:lab', notBefore: T0, notAfter: T0 + HOUR })
const options: VerifyCertificateOptions = { issuers: [issuer.peer], room: 'private:lab', now: T0 + 1000 }

/** Re-signed by `signer` over the given fields, so only what the test changes is wrong. */
function resigned(fields: Partial<SubjectCertificate>, signer = issuer): SubjectCertificate {
  const unsigned = { ...certificate, ...fields }
  return { ...unsigned, sig: signer.sign(subjectCertificateMessage(unsigned.issuer, unsigned)) }
}

describe('subject certificates', () => {
  it('verifies a certificate its issuer signed, for its room and peer, within its window', () => {
    expect(certificate).toEqual({ v: 1, peer, subject: 'alice', room: 'private:lab', notBefore: T0, notAfter: T0 + HOUR, issuer: issuer.peer, sig: expect.stringMatching(/^[\w-]{86}$/) })
    expect(verifySubjectCertificate(certificate, options)).toEqual({ ok: true, certificate })
    expect(verifySubjectCertificate(certificate, { ...options, peer })).toMatchObject({ ok: true })
    // Over the wire: a JSON round trip changes nothing.
    expect(verifySubjectCertificate(JSON.parse(JSON.stringify(certificate)), options)).toMatchObject({ ok: true })
  })

  it('signs a domain-separated message, so no other signature of the same fields passes', () => {
    const text = new TextDecoder().decode(subjectCertificateMessage(issuer.peer, certificate))
    expect(text).toBe(JSON.stringify(['tessera/subject-certificate@1', peer, 'alice', 'private:lab', T0, T0 + HOUR, issuer.peer]))
    // The issuer's signature of the same fields without the domain is no certificate.
    const bare = new TextEncoder().encode(JSON.stringify([peer, 'alice', 'private:lab', T0, T0 + HOUR, issuer.peer]))
    expect(verifySubjectCertificate({ ...certificate, sig: issuer.sign(bare) }, options)).toEqual({ ok: false, reason: 'bad signature' })
  })

  it('refuses every tampered field with the signature left as it was', () => {
    const tampered: Array<[string, Partial<SubjectCertificate>, string]> = [
      ['peer', { peer: other }, 'bad signature'],
      ['subject', { subject: 'mallory' }, 'bad signature'],
      ['notBefore', { notBefore: T0 - 1 }, 'bad signature'],
      ['notAfter', { notAfter: T0 + 10 * HOUR }, 'bad signature'],
      ['room', { room: 'public' }, 'wrong room'],
      ['issuer', { issuer: stranger.peer }, 'unknown issuer'],
      ['sig', { sig: `${certificate.sig.slice(0, -2)}AA` }, 'bad signature'],
    ]
    for (const [field, change, reason] of tampered) {
      expect(verifySubjectCertificate({ ...certificate, ...change }, options), field).toEqual({ ok: false, reason })
    }
    // A room it was not issued for, even when asked about that room.
    expect(verifySubjectCertificate({ ...certificate, room: 'public' }, { ...options, room: 'public' })).toEqual({ ok: false, reason: 'bad signature' })
  })

  it('refuses a certificate from an issuer the caller does not name, even well signed', () => {
    const forged = resigned({ issuer: stranger.peer }, stranger)
    expect(verifySubjectCertificate(forged, options)).toEqual({ ok: false, reason: 'unknown issuer' })
    expect(verifySubjectCertificate(forged, { ...options, issuers: [stranger.peer] })).toMatchObject({ ok: true })
    // Claiming the trusted issuer while signing with another key.
    expect(verifySubjectCertificate(resigned({ subject: 'bob' }, stranger), options)).toEqual({ ok: false, reason: 'bad signature' })
    expect(verifySubjectCertificate(certificate, { ...options, issuers: [] })).toEqual({ ok: false, reason: 'unknown issuer' })
    expect(verifySubjectCertificate(certificate, { ...options, issuers: new Set([stranger.peer, issuer.peer]) })).toMatchObject({ ok: true })
  })

  it('refuses it for another room, another peer, before its window and after it (beyond the skew)', () => {
    expect(verifySubjectCertificate(certificate, { ...options, room: 'private:other' })).toEqual({ ok: false, reason: 'wrong room' })
    expect(verifySubjectCertificate(certificate, { ...options, peer: other })).toEqual({ ok: false, reason: 'wrong peer' })
    const at = (now: number, skewMs?: number) => verifySubjectCertificate(certificate, { ...options, now, ...(skewMs === undefined ? {} : { skewMs }) })
    expect(at(T0 + HOUR + DEFAULT_CLOCK_SKEW_MS)).toEqual({ ok: false, reason: 'expired' })
    expect(at(T0 + HOUR + DEFAULT_CLOCK_SKEW_MS - 1)).toMatchObject({ ok: true })
    expect(at(T0 + HOUR, 0)).toEqual({ ok: false, reason: 'expired' })
    expect(at(T0 - DEFAULT_CLOCK_SKEW_MS - 1)).toEqual({ ok: false, reason: 'not yet valid' })
    expect(at(T0 - DEFAULT_CLOCK_SKEW_MS)).toMatchObject({ ok: true })
    expect(at(T0 - 1, 0)).toEqual({ ok: false, reason: 'not yet valid' })
    expect(at(Number.NaN)).toMatchObject({ ok: false })
  })

  it('refuses malformed input without throwing, whatever it is', () => {
    const cyclic: Record<string, unknown> = { ...certificate }
    cyclic['self'] = cyclic
    const hostileIssuers = {
      [Symbol.iterator]() {
        throw new Error('hostile iterable')
      },
    }
    const malformed: unknown[] = [
      undefined,
      null,
      42,
      'certificate',
      [],
      [certificate],
      {},
      { ...certificate, v: 2 },
      { ...certificate, v: '1' },
      { ...certificate, extra: 'unsigned rider' },
      cyclic,
      { ...certificate, peer: 'alice' },
      { ...certificate, peer: `k${'A'.repeat(44)}` },
      { ...certificate, issuer: 42 },
      { ...certificate, subject: '' },
      { ...certificate, subject: 'x'.repeat(65) },
      { ...certificate, room: '' },
      { ...certificate, room: 'r'.repeat(257) },
      { ...certificate, notBefore: 1.5 },
      { ...certificate, notBefore: -1 },
      { ...certificate, notAfter: Number.POSITIVE_INFINITY },
      { ...certificate, notAfter: 9e15 },
      { ...certificate, notAfter: String(T0 + HOUR) },
      { ...certificate, notBefore: T0 + HOUR, notAfter: T0 },
      { ...certificate, sig: 'short' },
      { ...certificate, sig: 'A'.repeat(10_000) },
    ]
    for (const input of malformed) {
      expect(() => verifySubjectCertificate(input, options)).not.toThrow()
      expect(verifySubjectCertificate(input, options)).toEqual({ ok: false, reason: 'malformed' })
    }
    expect(verifySubjectCertificate(certificate, { ...options, issuers: hostileIssuers })).toEqual({ ok: false, reason: 'unknown issuer' })
    // A getter that throws, on an object that otherwise looks right.
    const trap = { ...certificate }
    Object.defineProperty(trap, 'subject', { enumerable: true, get: () => { throw new Error('trap') } })
    expect(() => verifySubjectCertificate(trap, options)).not.toThrow()
    expect(verifySubjectCertificate(trap, options)).toMatchObject({ ok: false })
  })

  it('issues only what a verifier would accept, and names subjects so none collides with a derived one', () => {
    expect(() => issueSubjectCertificate(issuer, { peer: 'alice', subject: 'a', room: 'r', notBefore: 0, notAfter: 1 })).toThrow(RangeError)
    expect(() => issueSubjectCertificate(issuer, { peer, subject: 'a', room: 'r', notBefore: 5, notAfter: 5 })).toThrow(/notAfter/)
    expect(() => issueSubjectCertificate(issuer, { peer, subject: '', room: 'r', notBefore: 0, notAfter: 1 })).toThrow(RangeError)
    for (const name of ['alice', 'alice@lab.example', 'team-7', 'a', 'A.b_c+d']) expect(isSubjectName(name), name).toBe(true)
    for (const name of ['', 'net:abc', 'token:abc', '-dash', '.dot', 'x'.repeat(65), 'sp ace', 'é', 42]) expect(isSubjectName(name), String(name)).toBe(false)
  })

  it('gives the subject of a signer from its embedded certificate, after the session, for that signer only', () => {
    const trust = { issuers: [issuer.peer], room: 'private:lab' }
    expect(certifiedSubject(peer, certificate, trust)).toBe('alice')
    expect(certifiedSubject(peer, certificate, { ...trust, at: T0 + 10 * HOUR })).toBeUndefined()
    expect(certifiedSubject(peer, certificate, { ...trust, at: T0 + HOUR / 2 })).toBe('alice')
    expect(certifiedSubject(other, certificate, trust)).toBeUndefined()
    expect(certifiedSubject(peer, { ...certificate, subject: 'bob' }, trust)).toBeUndefined()
    expect(certifiedSubject(peer, certificate, { ...trust, room: 'public' })).toBeUndefined()
    expect(certifiedSubject(peer, undefined, trust)).toBeUndefined()
  })
})
