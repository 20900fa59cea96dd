/** What a leaf proof names besides its statement (the shape of `OutcomeProof`). */
export interface LeafProof {
  readonly leaf: number
  readonly size: number
  readonly path: string
  readonly sig: string
}

/** The values a statement is built from, in a fixed order per kind of statement. */
export type StatementFields = readonly (string | number)[]

interface ProvenLeaf {
  readonly peer: string
  readonly size: number
  readonly path: string
  readonly fields: StatementFields
}

/**
 * Leaf proofs this process has checked and found good, found again without
 * building anything: a reader meets each proof once per copy (a job's report,
 * then the cache entry made from it; a claim on every read of a replica's
 * copy), and the earlier memo, a string of everything the proof names (a
 * 350-character path, the signature, the outcome), cost about as much to
 * build and hash as hashing the leaf again. Here a lookup is two map reads by
 * the signature string and the leaf's index, then `===` on each part.
 *
 * A hit requires every part equal to a proof that was checked in full: the
 * signer, signature, batch size, leaf index, audit path and every value the
 * statement is built from. The caller gives the same values in the same order
 * that its statement encodes, so equal values mean equal statement bytes.
 * Only good proofs are recorded, so a forgery is always checked in full.
 * Bounded: past `maxLeaves`, the oldest signatures' leaves go until half remain.
 */
export class ProvenLeaves {
  readonly #bySig = new Map<string, Map<number, ProvenLeaf>>()
  #count = 0

  constructor(private readonly maxLeaves: number) {}

  has(peer: string, proof: LeafProof, fields: StatementFields): boolean {
    const known = this.#bySig.get(proof.sig)?.get(proof.leaf)
    if (known === undefined || known.peer !== peer || known.size !== proof.size || known.path !== proof.path || known.fields.length !== fields.length) return false
    for (let i = 0; i < fields.length; i++) if (known.fields[i] !== fields[i]) return false
    return true
  }

  /** Records a proof checked in full and found good (or just signed by this process). */
  add(peer: string, proof: LeafProof, fields: StatementFields): void {
    let leaves = this.#bySig.get(proof.sig)
    if (leaves === undefined) this.#bySig.set(proof.sig, (leaves = new Map()))
    if (!leaves.has(proof.leaf)) this.#count++
    // One slot per signature and leaf: two different good statements there would need a SHA-256 collision.
    leaves.set(proof.leaf, { peer, size: proof.size, path: proof.path, fields })
    if (this.#count > this.maxLeaves) this.#forgetOldest()
  }

  #forgetOldest(): void {
    for (const [sig, leaves] of this.#bySig) {
      if (this.#count <= this.maxLeaves / 2) return
      this.#bySig.delete(sig)
      this.#count -= leaves.size
    }
  }
}
