import type { PeerId } from '../ids.ts'
import { certifiedSubject, type SubjectCertificate } from '../identity/subject-certificate.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import { publishCertificate } from '../swarm/writes.ts'
import type { RosterPort } from './roster.ts'

/**
 * Which subject each signer is, as quorum counts them: distinct subjects, not
 * keys, so one process with many keys is one vote. A peer's subject comes
 * from the certificate the signaling server signed for its key: live from the
 * roster, or, for signers who have left, from the copy every peer keeps in
 * the swarm document's `certs` map (a certificate proves itself, so anyone
 * may write it there; this peer writes its own).
 *
 * Without a certifying server (no issuer announced, as with older servers or
 * a bare simulator), every key counts as its own subject, as before. With
 * one, a key without a valid certificate counts as no subject at all.
 */
export class Subjects {
  readonly #verdicts = new WeakMap<object, { readonly issuers: string; readonly subject: string | undefined }>()
  readonly #listeners = new Set<() => void>()
  readonly #stop: Array<() => void> = []

  constructor(
    private readonly swarm: SwarmDoc,
    private readonly roster: RosterPort,
    private readonly self: PeerId,
  ) {
    const certs = swarm.certs
    const onCerts = (): void => this.#emit()
    certs.observe(onCerts)
    this.#stop.push(
      () => certs.unobserve(onCerts),
      roster.onChange((peers) => {
        if (peers.includes(self)) this.#publishOwn()
        this.#emit()
      }),
    )
    this.#publishOwn()
  }

  /** Whether subjects are certified here at all (a server announced an issuer). */
  get certified(): boolean {
    return this.roster.room !== undefined && this.roster.issuers.length > 0
  }

  subjectOf(peer: PeerId): string | undefined {
    if (!this.certified) return peer
    return this.roster.subjectOf(peer) ?? this.#recorded(peer)
  }

  /** Calls `listener` when a subject may have changed (a certificate arrived); returns how to stop. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  close(): void {
    for (const stop of this.#stop.splice(0)) stop()
    this.#listeners.clear()
  }

  #recorded(peer: PeerId): string | undefined {
    const room = this.roster.room
    const raw = this.swarm.certs.get(peer)
    if (room === undefined || typeof raw !== 'object' || raw === null) return undefined
    const issuers = this.roster.issuers.join(' ')
    const known = this.#verdicts.get(raw)
    if (known !== undefined && known.issuers === issuers) return known.subject
    // A certificate outlives its validity here: it still says which subject the key was, and
    // quorum counts subjects. Its window matters when it is issued and while the peer is live.
    const subject = certifiedSubject(peer, raw, { issuers: this.roster.issuers, room })
    this.#verdicts.set(raw, { issuers, subject })
    return subject
  }

  #publishOwn(): void {
    const own: SubjectCertificate | undefined = this.roster.certificateOf(this.self)
    if (own !== undefined) publishCertificate(this.swarm, own)
  }

  #emit(): void {
    for (const listener of this.#listeners) {
      try {
        listener()
      } catch {
        // One listener's failure is its own.
      }
    }
  }
}
