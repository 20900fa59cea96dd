import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signRoomToken, verifyRoomToken } from '../src/tokens.ts'

const secret = 'a-test-secret-of-some-length'
const now = 1_800_000_000

describe('room tokens', () => {
  it('round-trips, with the documented wire shape', () => {
    const token = signRoomToken({ secret, room: 'private:lab', expiresInSeconds: 60, peer: 'p1', now })
    const [body, signature] = token.split('.') as [string, string]
    expect(JSON.parse(Buffer.from(body, 'base64url').toString())).toEqual({ room: 'private:lab', exp: now + 60, peer: 'p1' })
    expect(signature).toBe(createHmac('sha256', secret).update(body).digest('base64url'))
    expect(verifyRoomToken({ secret, token, room: 'private:lab', peer: 'p1', now })).toEqual({
      ok: true,
      payload: { room: 'private:lab', exp: now + 60, peer: 'p1' },
    })
  })

  it('a token without a peer admits any peer id, or none', () => {
    const token = signRoomToken({ secret, room: 'r', expiresInSeconds: 60, now })
    expect(verifyRoomToken({ secret, token, room: 'r', peer: 'anyone', now }).ok).toBe(true)
    expect(verifyRoomToken({ secret, token, room: 'r', now }).ok).toBe(true)
  })

  it('refuses each way a token can be wrong, naming why', () => {
    const token = signRoomToken({ secret, room: 'r', expiresInSeconds: 60, peer: 'p', now })
    const verify = (overrides: Partial<Parameters<typeof verifyRoomToken>[0]>) =>
      verifyRoomToken({ secret, token, room: 'r', peer: 'p', now, ...overrides })
    expect(verify({ token: undefined })).toEqual({ ok: false, reason: 'token missing' })
    expect(verify({ token: '' })).toEqual({ ok: false, reason: 'token missing' })
    expect(verify({ now: now + 60 })).toEqual({ ok: false, reason: 'token expired' })
    expect(verify({ now: now + 59.9 }).ok).toBe(true)
    expect(verify({ room: 'other' })).toEqual({ ok: false, reason: 'token is for another room' })
    expect(verify({ peer: 'q' })).toEqual({ ok: false, reason: 'token is for another peer' })
    expect(verify({ peer: undefined })).toEqual({ ok: false, reason: 'token is for another peer' })
    expect(verify({ secret: `${secret}!` })).toEqual({ ok: false, reason: 'bad signature' })
    for (const malformed of ['nodot', 'a.b.c', '.sig', 'body.', 'bo dy.sig', 'body.si+g']) {
      expect(verify({ token: malformed }).ok).toBe(false)
    }
  })

  it('refuses a payload edited after signing', () => {
    const token = signRoomToken({ secret, room: 'r', expiresInSeconds: 60, now })
    const [, signature] = token.split('.') as [string, string]
    const forged = Buffer.from(JSON.stringify({ room: 'r', exp: now + 999_999 })).toString('base64url')
    expect(verifyRoomToken({ secret, token: `${forged}.${signature}`, room: 'r', now })).toEqual({ ok: false, reason: 'bad signature' })
    // A truncated signature must fail too, not crash timingSafeEqual on unequal lengths.
    expect(verifyRoomToken({ secret, token: `${token.slice(0, -4)}`, room: 'r', now })).toEqual({ ok: false, reason: 'bad signature' })
  })

  it('refuses a correctly signed payload of the wrong shape as malformed', () => {
    const sign = (payload: string) => {
      const body = Buffer.from(payload).toString('base64url')
      return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
    }
    for (const payload of ['not json', '[]', '{"room":1,"exp":9e9}', '{"room":"r"}', '{"room":"r","exp":"soon"}', '{"room":"r","exp":9e9,"peer":5}']) {
      expect(verifyRoomToken({ secret, token: sign(payload), room: 'r', now })).toEqual({ ok: false, reason: 'token malformed' })
    }
  })

  it('refuses to sign nonsense', () => {
    expect(() => signRoomToken({ secret: '', room: 'r', expiresInSeconds: 1 })).toThrow(/secret/)
    expect(() => signRoomToken({ secret, room: '', expiresInSeconds: 1 })).toThrow(/room/)
    expect(() => signRoomToken({ secret, room: 'r', expiresInSeconds: 0 })).toThrow(/expiresInSeconds/)
    expect(() => signRoomToken({ secret, room: 'r', expiresInSeconds: Number.NaN })).toThrow(/expiresInSeconds/)
  })
})
