import { createHmac, randomBytes } from 'node:crypto'
import { Identity } from '@tessera/core'

/**
 * The keys a server holds beyond its token secret: the Ed25519 key that signs
 * subject certificates, and the HMAC keys of origin tags and network
 * subjects. Each is derived from the secret under its own label, so one
 * secret never serves two purposes, and every instance given the secret (a
 * restart, a second server behind a load balancer) has the same issuer and
 * hashes the same address to the same tag and subject. Without a secret
 * they are random per start: certificates from an earlier run then no longer
 * verify against the announced issuer, and tags cannot be linked across runs.
 */
export interface ServerKeys {
  readonly issuer: Identity
  readonly originKey: Uint8Array
  readonly subjectKey: Uint8Array
}

/** The issuer key id of every server started with `secret`: what peers can be told to trust ahead of time. */
export function issuerOfSecret(secret: string): string {
  return deriveServerKeys(secret).issuer.peer
}

export function deriveServerKeys(secret: string | undefined): ServerKeys {
  const derive = (label: string): Uint8Array => (secret === undefined ? randomBytes(32) : createHmac('sha256', secret).update(label).digest())
  return {
    issuer: new Identity(new Uint8Array(derive('tessera/subject-issuer@1'))),
    originKey: derive('tessera/origin-tags@1'),
    subjectKey: derive('tessera/network-subjects@1'),
  }
}
