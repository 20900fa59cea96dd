import type { PeerId } from '../ids.ts'
import { certifiedSubject, DEFAULT_CLOCK_SKEW_MS, verifySubjectCertificate, type SubjectCertificate } from '../identity/subject-certificate.ts'

/**
 * Who the room's rendezvous (the signaling server) vouches for: a peer id that
 * is bound to one of its live connections, an opaque tag for the address that
 * connection comes from, and a certificate binding the peer's key to a
 * subject. The server stamps the tag and signs the certificate itself, so a
 * peer chooses neither. Admission counts quotas by origin; quorum counts
 * distinct subjects.
 */
export interface RosterPort {
  /** The origin tag of `peer`'s connection, if the rendezvous lists it now. */
  originOf(peer: PeerId): string | undefined
  /**
   * The subject `peer`'s certificate binds it to, while that certificate is
   * valid (checked at each call: an expired one counts for nothing).
   */
  subjectOf(peer: PeerId): string | undefined
  /** That certificate (while valid), verified against the issuer the rendezvous announced: what a record can carry to prove its writer's subject. */
  certificateOf(peer: PeerId): SubjectCertificate | undefined
  /** Issuers whose certificates this roster accepted, the current one last (a server restarted without a secret has a new key). */
  readonly issuers: readonly string[]
  /** The room certificates must name; undefined for a roster that takes none. */
  readonly room: string | undefined
  /**
   * The subject a certificate carried in a record gives its signer, trusting
   * this roster's issuers and room; `at` is the record's signed time, if it has one.
   */
  subjectOfRecord(signer: PeerId, certificate: unknown, at?: number): string | undefined
  /** Calls `listener` with the peers whose origin or certificate appeared, changed or went away. */
  onChange(listener: (peers: readonly PeerId[]) => void): () => void
}

/** What the rendezvous says about one peer. `certificate` is as received: the roster checks it. */
export interface RosterEntry {
  readonly origin?: string | undefined
  readonly certificate?: unknown
}

export interface RosterOptions {
  /** The room this roster is for: certificates for another room are ignored. Without it, every certificate is. */
  readonly room?: string
  /** Unix ms; `Date.now` by default (the simulator passes its clock). */
  readonly now?: () => number
}

/** Longest origin tag accepted from a rendezvous; servers send 16 characters. */
export const MAX_ORIGIN_LENGTH = 64

interface Vouched {
  readonly origin: string | undefined
  readonly certificate: SubjectCertificate | undefined
}

/** A roster fed by whatever hears the rendezvous: the mesh's signaling client, or the simulator's network. */
export class Roster implements RosterPort {
  readonly #entries = new Map<PeerId, Vouched>()
  readonly #listeners = new Set<(peers: readonly PeerId[]) => void>()
  readonly #room: string | undefined
  readonly #now: () => number
  #issuers: string[] = []

  constructor(options: RosterOptions = {}) {
    this.#room = options.room
    this.#now = options.now ?? Date.now
  }

  get issuers(): readonly string[] {
    return this.#issuers
  }

  get room(): string | undefined {
    return this.#room
  }

  subjectOfRecord(signer: PeerId, certificate: unknown, at?: number): string | undefined {
    if (this.#room === undefined) return undefined
    return certifiedSubject(signer, certificate, { issuers: this.#issuers, room: this.#room, ...(at === undefined ? {} : { at }) })
  }

  /**
   * The issuer key the rendezvous announced (in `welcome`): certificates are
   * accepted from it from now on. Those already held stay, since the peers
   * they name are listed again with the new issuer's on the next join.
   */
  trustIssuer(issuer: string): void {
    if (this.#issuers.at(-1) === issuer) return
    this.#issuers = [...this.#issuers.filter((known) => known !== issuer), issuer]
  }

  originOf(peer: PeerId): string | undefined {
    return this.#entries.get(peer)?.origin
  }

  subjectOf(peer: PeerId): string | undefined {
    return this.certificateOf(peer)?.subject
  }

  certificateOf(peer: PeerId): SubjectCertificate | undefined {
    const certificate = this.#entries.get(peer)?.certificate
    // Verified in full when it arrived; only time can have made it invalid since.
    return certificate !== undefined && this.#now() - DEFAULT_CLOCK_SKEW_MS < certificate.notAfter ? certificate : undefined
  }

  onChange(listener: (peers: readonly PeerId[]) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Everyone the rendezvous lists, as it says on every (re)join; anyone missing is no longer vouched for. */
  replace(entries: Iterable<readonly [PeerId, RosterEntry | string | undefined]>): void {
    const next = new Map<PeerId, Vouched>()
    for (const [peer, entry] of entries) {
      const vouched = this.#vouched(peer, entry)
      if (vouched !== undefined) next.set(peer, vouched)
    }
    const changed = new Set<PeerId>()
    for (const [peer, old] of this.#entries) if (!same(next.get(peer), old)) changed.add(peer)
    for (const [peer, entry] of next) if (!same(this.#entries.get(peer), entry)) changed.add(peer)
    this.#entries.clear()
    for (const [peer, entry] of next) this.#entries.set(peer, entry)
    this.#emit([...changed])
  }

  /** One peer joined or changed; a bare string is its origin tag (no certificate). */
  set(peer: PeerId, entry: RosterEntry | string | undefined): void {
    const vouched = this.#vouched(peer, entry)
    if (vouched === undefined) return this.delete(peer)
    if (same(this.#entries.get(peer), vouched)) return
    this.#entries.set(peer, vouched)
    this.#emit([peer])
  }

  /** A renewed certificate for a peer already listed; an invalid one leaves the old in place. */
  certify(peer: PeerId, certificate: unknown): void {
    const entry = this.#entries.get(peer)
    const verified = this.#verify(peer, certificate)
    if (entry === undefined || verified === undefined || entry.certificate?.sig === verified.sig) return
    this.#entries.set(peer, { origin: entry.origin, certificate: verified })
    this.#emit([peer])
  }

  delete(peer: PeerId): void {
    if (this.#entries.delete(peer)) this.#emit([peer])
  }

  #vouched(peer: PeerId, entry: RosterEntry | string | undefined): Vouched | undefined {
    const fields: RosterEntry = typeof entry === 'string' ? { origin: entry } : (entry ?? {})
    const origin = isOrigin(fields.origin) ? fields.origin : undefined
    const certificate = fields.certificate === undefined ? undefined : this.#verify(peer, fields.certificate)
    return origin === undefined && certificate === undefined ? undefined : { origin, certificate }
  }

  #verify(peer: PeerId, certificate: unknown): SubjectCertificate | undefined {
    if (this.#room === undefined) return undefined
    const verdict = verifySubjectCertificate(certificate, { issuers: this.#issuers, room: this.#room, peer, now: this.#now() })
    return verdict.ok ? verdict.certificate : undefined
  }

  #emit(peers: readonly PeerId[]): void {
    if (peers.length === 0) return
    for (const listener of this.#listeners) {
      try {
        listener(peers)
      } catch {
        // A listener's failure is its own; the roster stays consistent for the others.
      }
    }
  }
}

function same(a: Vouched | undefined, b: Vouched | undefined): boolean {
  return a?.origin === b?.origin && a?.certificate?.sig === b?.certificate?.sig
}

function isOrigin(origin: unknown): origin is string {
  return typeof origin === 'string' && origin.length > 0 && origin.length <= MAX_ORIGIN_LENGTH
}
