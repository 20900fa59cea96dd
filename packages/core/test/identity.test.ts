import { describe, expect, it } from 'vitest'
import { fromBase64Url, Identity, isKeyPeerId, nobleEd25519, peerIdOfKey, publicKeyOfPeer, toBase64Url, verifyPeerSignature, KEY_PEER_ID_LENGTH } from '@tessera/core'
import { ed25519EngineChecks } from '@tessera/core/testing'
import { runContract } from '@tessera/core/testing/vitest'

runContract('Ed25519 engine contract: noble (pure JS)', ed25519EngineChecks, nobleEd25519)

describe('base64url', () => {
  it('round-trips every length and refuses other spellings', () => {
    // Past 64 bytes the platform's encoder takes over: views at an offset of a larger buffer included.
    const backing = crypto.getRandomValues(new Uint8Array(400))
    for (let size = 0; size < 300; size += size < 70 ? 1 : 23) {
      const bytes = crypto.getRandomValues(new Uint8Array(size))
      const text = toBase64Url(bytes)
      expect(text).toBe(Buffer.from(bytes).toString('base64url'))
      expect(fromBase64Url(text, size)).toEqual(bytes)
      const view = backing.subarray(size % 7, (size % 7) + size)
      expect(toBase64Url(view)).toBe(Buffer.from(view).toString('base64url'))
    }
    const text = toBase64Url(new Uint8Array([255]))
    expect(text).toBe('_w')
    expect(fromBase64Url('_x', 1)).toBeUndefined() // leftover bits set: a second spelling of one byte
    expect(fromBase64Url('_w=', 1)).toBeUndefined()
    expect(fromBase64Url('/w', 1)).toBeUndefined()
    expect(fromBase64Url('_w', 2)).toBeUndefined()
  })

  it('refuses a foreign character at any place of an audit-path-sized text, in whole groups and in the tail', () => {
    const bytes = crypto.getRandomValues(new Uint8Array(256))
    const text = toBase64Url(bytes)
    for (let at = 0; at < text.length; at++) {
      for (const foreign of ['=', '+', '/', '.', 'é', '\u0000', '\u{1F600}'.slice(0, 1)]) {
        expect(fromBase64Url(text.slice(0, at) + foreign + text.slice(at + 1), 256), `${foreign} at ${at}`).toBeUndefined()
      }
    }
    expect(fromBase64Url(text, 256)).toEqual(bytes)
  })
})

describe('identities', () => {
  it('names a peer by its public key, and reads the key back from the id', () => {
    const identity = Identity.generate()
    expect(identity.peer).toHaveLength(KEY_PEER_ID_LENGTH)
    expect(identity.peer).toMatch(/^k[A-Za-z0-9_-]{43}$/)
    expect(publicKeyOfPeer(identity.peer)).toEqual(identity.publicKey)
    expect(peerIdOfKey(identity.publicKey)).toBe(identity.peer)
    expect(isKeyPeerId(identity.peer)).toBe(true)
    for (const other of ['', 'peer-1', 'x'.repeat(44), `j${identity.peer.slice(1)}`, `${identity.peer}A`]) expect(isKeyPeerId(other)).toBe(false)
  })

  it('signs what only its own id verifies', () => {
    const [alice, mallory] = [Identity.generate(), Identity.generate()]
    const message = new TextEncoder().encode('tessera test message')
    const signature = alice.sign(message)
    expect(verifyPeerSignature(alice.peer, message, signature)).toBe(true)
    expect(verifyPeerSignature(mallory.peer, message, signature)).toBe(false)
    expect(verifyPeerSignature(alice.peer, new TextEncoder().encode('tessera test messagf'), signature)).toBe(false)
    expect(verifyPeerSignature(alice.peer, message, mallory.sign(message))).toBe(false)
    expect(verifyPeerSignature('not-a-key', message, signature)).toBe(false)
    expect(verifyPeerSignature(alice.peer, message, `${signature.slice(0, -1)}!`)).toBe(false)
  })

  it('keeps the secret key to itself, and rebuilds the same identity from it', () => {
    const identity = Identity.generate()
    expect(JSON.stringify(identity)).toBe(JSON.stringify({ peer: identity.peer }))
    expect(new Identity(identity.exportSecretKey()).peer).toBe(identity.peer)
    expect(() => new Identity(new Uint8Array(31))).toThrow(RangeError)
  })

  it('gives the same test identity for the same seed, and different ones for others', () => {
    expect(Identity.fromSeed('a').peer).toBe(Identity.fromSeed('a').peer)
    expect(Identity.fromSeed('a').peer).not.toBe(Identity.fromSeed('b').peer)
  })
})
