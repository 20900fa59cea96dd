import { afterEach, describe, expect, it } from 'vitest'
import { readIceServersGrant } from '@tessera/signaling/protocol'
import { DEFAULT_TURN_TTL_SECONDS, iceGrant, resolveTurn, turnCredential, turnPassword } from '@tessera/signaling'
import { Harness, TestClient } from './support/client.ts'

const SECRET = 'coturn-shared-secret'
const URL = 'turn:127.0.0.1:3478'

const h = new Harness()
afterEach(() => h.cleanup())

describe("TURN credentials in coturn's REST API scheme (use-auth-secret)", () => {
  it('signs `<expiry>:<tag>` with HMAC-SHA1 of the shared secret, in base64 (value from openssl)', () => {
    // printf '%s' '1796000000:tab-1' | openssl dgst -sha1 -hmac 'coturn-shared-secret' -binary | base64
    expect(turnPassword(SECRET, '1796000000:tab-1')).toBe('xCqo8cSRBS3856X4lYtuT8V8lC8=')
    const turn = resolveTurn({ urls: [URL], secret: SECRET, ttlSeconds: 600 })
    const credential = turnCredential(turn, 1_795_999_400_500, 'tab-1')
    expect(credential).toEqual({ urls: [URL], username: '1796000000:tab-1', credential: 'xCqo8cSRBS3856X4lYtuT8V8lC8=' })
  })

  it('expires after its TTL: the username carries now + ttl in unix seconds, and a new grant a new expiry', () => {
    const turn = resolveTurn({ urls: [URL], secret: SECRET })
    expect(turn.ttlSeconds).toBe(DEFAULT_TURN_TTL_SECONDS)
    const now = Date.UTC(2026, 11, 1, 10, 0, 0)
    const first = iceGrant([], turn, now)
    const later = iceGrant([], turn, now + 3_600_000)
    expect(first.iceTtlMs).toBe(DEFAULT_TURN_TTL_SECONDS * 1000)
    const expiryOf = (grant: typeof first) => Number((grant.iceServers[0] as { username: string }).username.split(':')[0])
    expect(expiryOf(first)).toBe(now / 1000 + DEFAULT_TURN_TTL_SECONDS)
    expect(expiryOf(later)).toBe(expiryOf(first) + 3600)
  })

  it('gives every credential its own random username, never one password for everyone', () => {
    const turn = resolveTurn({ urls: [URL], secret: SECRET })
    const credentials = Array.from({ length: 50 }, () => turnCredential(turn, 0))
    expect(new Set(credentials.map((c) => c.username)).size).toBe(50)
    expect(new Set(credentials.map((c) => c.credential)).size).toBe(50)
    for (const c of credentials) expect(c.credential).toBe(turnPassword(SECRET, c.username))
  })

  it('refuses a configuration coturn would not accept, at start-up', () => {
    expect(() => resolveTurn({ urls: [], secret: SECRET })).toThrow(/at least one/)
    expect(() => resolveTurn({ urls: ['stun:127.0.0.1:3478'], secret: SECRET })).toThrow(/turn: or turns:/)
    expect(() => resolveTurn({ urls: [URL], secret: 'short' })).toThrow(/16 characters/)
    expect(() => resolveTurn({ urls: [URL], secret: SECRET, ttlSeconds: 5 })).toThrow(/60/)
    expect(() => turnCredential(resolveTurn({ urls: [URL], secret: SECRET }), 0, 'a:b')).toThrow(/":"/)
  })
})

describe('the signaling server hands out TURN credentials', () => {
  it("puts a fresh credential of each connection's own in `welcome`, besides the static servers", async () => {
    const stun = { urls: 'stun:stun.example.org:3478' }
    const server = await h.server({ iceServers: [stun], turn: { urls: [URL, 'turns:turn.example.org:5349'], secret: SECRET, ttlSeconds: 900 } })
    const welcomes = []
    for (let i = 0; i < 2; i++) welcomes.push(await h.track(await TestClient.connect(server.url)).next('welcome'))
    const usernames = new Set<string>()
    for (const welcome of welcomes) {
      expect(welcome.iceTtlMs).toBe(900_000)
      expect(welcome.iceServers[0]).toEqual(stun)
      const turn = welcome.iceServers[1] as { urls: string[]; username: string; credential: string }
      expect(turn.urls).toEqual([URL, 'turns:turn.example.org:5349'])
      const expiry = Number(turn.username.split(':')[0])
      expect(Math.abs(expiry - (Date.now() / 1000 + 900))).toBeLessThan(5)
      expect(turn.credential).toBe(turnPassword(SECRET, turn.username))
      usernames.add(turn.username)
    }
    expect(usernames.size).toBe(2)
  })

  it('answers `ice-servers` with a new credential, so a client renews before expiry without reconnecting', async () => {
    const server = await h.server({ turn: { urls: [URL], secret: SECRET, ttlSeconds: 60 } })
    const client = h.track(await TestClient.connect(server.url))
    const welcome = await client.next('welcome')
    client.send({ type: 'ice-servers' })
    const renewed = await client.next('ice-servers')
    expect(renewed.iceTtlMs).toBe(60_000)
    const [before, after] = [welcome.iceServers[0], renewed.iceServers[0]] as [{ username: string }, { username: string; credential: string }]
    expect(after.username).not.toBe(before.username)
    expect(after.credential).toBe(turnPassword(SECRET, after.username))
  })

  it('without TURN, `welcome` has no TTL and `ice-servers` returns the static list', async () => {
    const server = await h.server({ iceServers: [{ urls: 'stun:stun.example.org:3478' }] })
    const client = h.track(await TestClient.connect(server.url))
    expect((await client.next('welcome')).iceTtlMs).toBeUndefined()
    client.send({ type: 'ice-servers' })
    expect(await client.next('ice-servers')).toEqual({ type: 'ice-servers', iceServers: [{ urls: 'stun:stun.example.org:3478' }] })
  })
})

describe('readIceServersGrant (the client side)', () => {
  it('keeps well-formed servers and drops a hostile list whole', () => {
    const turn = { urls: [URL], username: '1:x', credential: 'c' }
    expect(readIceServersGrant({ iceServers: [turn], iceTtlMs: 1000 })).toEqual({ iceServers: [turn], iceTtlMs: 1000 })
    expect(readIceServersGrant({ iceServers: [{ ...turn, extra: 'dropped' }] })).toEqual({ iceServers: [turn] })
    for (const bad of [
      { iceServers: 'turn:x' },
      { iceServers: [{ urls: 'http://x' }] },
      { iceServers: [{ urls: [] }] },
      { iceServers: [{ urls: URL, username: 7 }] },
      { iceServers: [{ urls: URL, credential: 'x'.repeat(10_000) }] },
      { iceServers: Array.from({ length: 100 }, () => ({ urls: URL })) },
      { iceServers: [], iceTtlMs: -1 },
      { iceServers: [], iceTtlMs: 'soon' },
    ]) {
      expect(readIceServersGrant(bad)).toBeUndefined()
    }
  })
})
