/**
 * Subjects and their certificates, for the hub: what subject each connection
 * has in each room it joined, how many peer ids each subject has bound there
 * (capped), and the certificate each bound key id holds. A certificate is
 * signed when a key id is bound and again on renewal once the current one is
 * past half its life; in between the same one is handed out, so a client
 * cannot make the server sign at its frame rate.
 */
import { isKeyPeerId, issueSubjectCertificate, type Identity, type SubjectCertificate } from '@tessera/core'
import { isLoopbackAddress } from './network-prefix.ts'
import { OriginTags } from './origin-tags.ts'
import type { ServerKeys } from './server-keys.ts'
import { SubjectBook } from './subject-book.ts'
import { tokenSubject, type RoomTokenPayload } from './tokens.ts'

/** The subject a connection has in a room, and until when it may be certified as it. */
export interface SubjectClaim {
  readonly subject: string
  /** Unix ms from which no certificate may be valid: the room token's expiry, or never. */
  readonly until: number
  /** Whether `maxIdentitiesPerSubject` applies (loopback is exempt unless configured). */
  readonly capped: boolean
  /** An admin room token's: every key it binds is certified as a room admin. */
  readonly admin?: true
}

export interface CertificationConfig {
  readonly maxIdentitiesPerSubject: number
  readonly certificateLifetimeMs: number
  readonly capLoopbackIdentities: boolean
  readonly ipv6SubjectPrefix: number
  /** Keys the operator named admins, per room (`SignalingServerOptions.admins`); none when absent. */
  readonly isAdmin?: (room: string, peer: string) => boolean
}

export interface Certified {
  readonly certificate: SubjectCertificate
  /** Newly signed, rather than the one the connection already held. */
  readonly issued: boolean
}

export class Certification<C extends { readonly address?: string }> {
  readonly issuer: Identity
  readonly #book = new SubjectBook()
  readonly #networkSubjects: OriginTags<C>
  readonly #claims = new Map<C, Map<string, SubjectClaim>>()
  readonly #certificates = new Map<C, Map<string, SubjectCertificate>>()

  constructor(
    private readonly config: CertificationConfig,
    keys: ServerKeys,
    private readonly onIssue: () => void = () => {},
  ) {
    this.issuer = keys.issuer
    this.#networkSubjects = new OriginTags<C>(keys.subjectKey, config.ipv6SubjectPrefix)
  }

  /** The subject `conn` would have in a room: its token's in a private room, its network prefix's otherwise. */
  claimFor(conn: C, token?: { readonly payload: RoomTokenPayload; readonly text: string }): SubjectClaim {
    if (token !== undefined) {
      const claim = { subject: tokenSubject(token.payload, token.text), until: Math.floor(token.payload.exp * 1000), capped: true }
      return token.payload.admin === true ? { ...claim, admin: true } : claim
    }
    const loopback = isLoopbackAddress(conn.address)
    const capped = this.config.capLoopbackIdentities || !loopback
    // `local:` tells peers this is the server's own machine, not a network many strangers share:
    // a submitter takes its own subject's results alone only then (core `SubmitterTrust`).
    return { subject: `${loopback ? 'local' : 'net'}:${this.#networkSubjects.of(conn)}`, until: Number.POSITIVE_INFINITY, capped }
  }

  /** Why binding `peer` under `claim` in `topic` would pass the cap, or undefined when it may be bound. */
  capRefusal(topic: string, peer: string, claim: SubjectClaim): string | undefined {
    const max = this.config.maxIdentitiesPerSubject
    if (!claim.capped || this.#book.admits(topic, peer, claim.subject, max)) return undefined
    return `subject ${JSON.stringify(claim.subject)} already has ${max} peer ids in room ${JSON.stringify(topic)}, the most allowed at once: close one, or use a token with its own subject`
  }

  /** `conn` is a member of `topic` under this claim (a new subscribe may bring a new token). */
  remember(conn: C, topic: string, claim: SubjectClaim): void {
    let claims = this.#claims.get(conn)
    if (claims === undefined) this.#claims.set(conn, (claims = new Map()))
    claims.set(topic, claim)
  }

  claimOf(conn: C, topic: string): SubjectClaim | undefined {
    return this.#claims.get(conn)?.get(topic)
  }

  /**
   * `peer` is now bound to `conn` in `topic`: it counts under the connection's
   * subject there, and a key id gets a certificate (undefined for other ids,
   * which cannot sign anything a certificate would vouch for).
   */
  bound(conn: C, topic: string, peer: string, now: number): Certified | undefined {
    const claim = this.claimOf(conn, topic)
    if (claim === undefined) return undefined
    this.#book.bind(topic, peer, claim.subject)
    if (!isKeyPeerId(peer)) return undefined
    return this.#certify(conn, topic, peer, claim, now)
  }

  /** A new or repeated binding: counted under its subject and certified; the id it replaced and the connection it displaced lose theirs. */
  rebound(conn: C, topic: string, peer: string, moved: { readonly previousPeer?: string; readonly displaced?: C }, now: number): Certified | undefined {
    if (moved.previousPeer !== undefined) this.unbound(topic, moved.previousPeer)
    if (moved.displaced !== undefined) this.displaced(moved.displaced, topic)
    return this.bound(conn, topic, peer, now)
  }

  /** A fresh certificate for the key id `conn` holds in `topic`, or why not. */
  renew(conn: C, topic: string, peer: string, now: number): Certified | string {
    const claim = this.claimOf(conn, topic)
    if (claim === undefined || !isKeyPeerId(peer)) return `no certified peer id on this connection in ${JSON.stringify(topic)}`
    return this.#certify(conn, topic, peer, claim, now) ?? `the room token for ${JSON.stringify(topic)} has expired: subscribe again with a new one`
  }

  certificateOf(conn: C, topic: string): SubjectCertificate | undefined {
    return this.#certificates.get(conn)?.get(topic)
  }

  /** Subject `subject` has this many peer ids bound in `topic`. */
  count(topic: string, subject: string): number {
    return this.#book.count(topic, subject)
  }

  /** `peer` is bound in `topic` under `subject` on another instance: it counts against the cap here too. */
  counted(topic: string, peer: string, subject: string): void {
    this.#book.bind(topic, peer, subject)
  }

  /** `peer` is no longer bound in `topic` (its connection left, or it rebound as another id). */
  unbound(topic: string, peer: string): void {
    this.#book.release(topic, peer)
  }

  /** `conn` lost its binding in `topic` to another connection, but stays a member. */
  displaced(conn: C, topic: string): void {
    this.#certificates.get(conn)?.delete(topic)
  }

  /** `conn` left `topic`; release its binding there separately (`unbound`). */
  left(conn: C, topic: string): void {
    this.#claims.get(conn)?.delete(topic)
    this.#certificates.get(conn)?.delete(topic)
  }

  forget(conn: C): void {
    this.#claims.delete(conn)
    this.#certificates.delete(conn)
  }

  #certify(conn: C, topic: string, peer: string, claim: SubjectClaim, now: number): Certified | undefined {
    if (claim.until <= now) return undefined
    const lifetime = this.config.certificateLifetimeMs
    // Asked at each signing, so a certificate says what the configuration and the token say now.
    const admin = claim.admin === true || this.config.isAdmin?.(topic, peer) === true
    const current = this.certificateOf(conn, topic)
    const fresh = current !== undefined && now < current.notBefore + lifetime / 2 && now < current.notAfter
    if (fresh && current.peer === peer && current.subject === claim.subject && current.notAfter <= claim.until && (current.admin === true) === admin) {
      return { certificate: current, issued: false }
    }
    const notBefore = Math.floor(now)
    const notAfter = Math.min(notBefore + lifetime, claim.until)
    if (notAfter <= notBefore) return undefined
    const certificate = issueSubjectCertificate(this.issuer, { peer, subject: claim.subject, room: topic, notBefore, notAfter, ...(admin ? { admin: true as const } : {}) })
    this.onIssue()
    let certificates = this.#certificates.get(conn)
    if (certificates === undefined) this.#certificates.set(conn, (certificates = new Map()))
    certificates.set(topic, certificate)
    return { certificate, issued: true }
  }
}
