/**
 * Live identities per subject and room: the peer ids bound in a room, grouped
 * by the subject each is certified as. No sockets and no clocks, like rooms.ts.
 * A peer id counts once however many connections it moves between.
 */
export class SubjectBook {
  /** Room → subject → peer ids bound there under it. */
  readonly #peers = new Map<string, Map<string, Set<string>>>()
  /** Room → peer id → its subject there. */
  readonly #subjects = new Map<string, Map<string, string>>()

  /** Peer ids bound in `room` under `subject`. */
  count(room: string, subject: string): number {
    return this.#peers.get(room)?.get(subject)?.size ?? 0
  }

  subjectOf(room: string, peer: string): string | undefined {
    return this.#subjects.get(room)?.get(peer)
  }

  /** Whether binding `peer` under `subject` keeps the subject within `max` ids (a peer already counted there always may). */
  admits(room: string, peer: string, subject: string, max: number): boolean {
    return this.subjectOf(room, peer) === subject || this.count(room, subject) < max
  }

  /** `peer` is bound in `room` under `subject` now (moved from any subject it had there). */
  bind(room: string, peer: string, subject: string): void {
    if (this.subjectOf(room, peer) === subject) return
    this.release(room, peer)
    let subjects = this.#subjects.get(room)
    if (subjects === undefined) this.#subjects.set(room, (subjects = new Map()))
    subjects.set(peer, subject)
    let bySubject = this.#peers.get(room)
    if (bySubject === undefined) this.#peers.set(room, (bySubject = new Map()))
    let peers = bySubject.get(subject)
    if (peers === undefined) bySubject.set(subject, (peers = new Set()))
    peers.add(peer)
  }

  /** `peer` is no longer bound in `room`. */
  release(room: string, peer: string): void {
    const subjects = this.#subjects.get(room)
    const subject = subjects?.get(peer)
    if (subjects === undefined || subject === undefined) return
    subjects.delete(peer)
    if (subjects.size === 0) this.#subjects.delete(room)
    const bySubject = this.#peers.get(room)
    const peers = bySubject?.get(subject)
    peers?.delete(peer)
    if (peers?.size === 0) bySubject?.delete(subject)
    if (bySubject?.size === 0) this.#peers.delete(room)
  }
}
