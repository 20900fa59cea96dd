import { describe, expect, it } from 'vitest'
import { Identity, ed25519Engine, nobleEd25519, useEd25519Engine, verifyPeerSignature } from '@tessera/core'
import { ed25519EngineChecks } from '@tessera/core/testing'
import { runContract } from '@tessera/core/testing/vitest'
import { nodeEd25519, startNodePeer } from '@tessera/mesh/node'

runContract('Ed25519 engine contract: node:crypto', ed25519EngineChecks, nodeEd25519)

describe('the node:crypto Ed25519 engine', () => {
  it('is installed once @tessera/mesh/node is loaded', () => {
    expect(ed25519Engine()).toBe(nodeEd25519)
  })

  it('is installed by startNodePeer, whatever was installed before', async () => {
    useEd25519Engine(nobleEd25519)
    try {
      // Nobody listens on port 9: the peer starts and keeps retrying signaling.
      const peer = await startNodePeer({ signaling: 'ws://127.0.0.1:9', room: 'engine', dir: false })
      expect(ed25519Engine()).toBe(nodeEd25519)
      await peer.close()
    } finally {
      useEd25519Engine(nodeEd25519)
    }
  })

  it('verifies more signers than it keeps keys for, and refuses each one\'s signature under another key', () => {
    // 600 signers: more than the key cache holds, so evicted keys are rebuilt.
    const signers = Array.from({ length: 600 }, (_, i) => Identity.fromSeed(`signer ${i}`))
    const message = new TextEncoder().encode('batch root')
    const signatures = signers.map((signer) => nodeEd25519.sign(signer.exportSecretKey(), message))
    for (let round = 0; round < 2; round++) {
      for (const [i, signer] of signers.entries()) {
        expect(nodeEd25519.verify(signer.publicKey, message, signatures[i]!)).toBe(true)
        expect(nodeEd25519.verify(signer.publicKey, message, signatures[(i + 1) % signers.length]!)).toBe(false)
      }
    }
  })

  it('agrees with the pure-JS engine on public keys and signatures of random keys', () => {
    for (let i = 0; i < 20; i++) {
      const secretKey = nodeEd25519.randomSecretKey()
      const message = nodeEd25519.randomSecretKey().subarray(0, i)
      expect(nodeEd25519.publicKeyOf(secretKey)).toEqual(nobleEd25519.publicKeyOf(secretKey))
      // Ed25519 signatures are deterministic: both engines must produce the same bytes.
      expect(nodeEd25519.sign(secretKey, message)).toEqual(nobleEd25519.sign(secretKey, message))
    }
  })

  it('serves identities: a record signed natively verifies through verifyPeerSignature', () => {
    const identity = Identity.generate()
    const message = new TextEncoder().encode('record')
    expect(verifyPeerSignature(identity.peer, message, identity.sign(message))).toBe(true)
    expect(verifyPeerSignature(Identity.generate().peer, message, identity.sign(message))).toBe(false)
  })
})
