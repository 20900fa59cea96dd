import type { PeerId } from '../ids.ts'

export interface HeldUpdate {
  readonly from: PeerId
  readonly update: Uint8Array
}

/**
 * Updates for documents this peer has not opened yet (a job announced a moment
 * later), kept within bounds until the document opens. They are untrusted:
 * anything over the bounds is dropped, and anti-entropy brings it later.
 */
export class HeldUpdates {
  readonly #docs = new Map<string, { updates: HeldUpdate[]; bytes: number }>()

  constructor(
    private readonly maxDocs: number,
    private readonly maxBytes: number,
  ) {}

  hold(guid: string, held: HeldUpdate): void {
    let entry = this.#docs.get(guid)
    if (entry === undefined) {
      if (this.#docs.size >= this.maxDocs) return
      this.#docs.set(guid, (entry = { updates: [], bytes: 0 }))
    }
    if (entry.bytes + held.update.byteLength > this.maxBytes) return
    entry.updates.push(held)
    entry.bytes += held.update.byteLength
  }

  /** Everything held for the document, in arrival order, forgotten here. */
  take(guid: string): readonly HeldUpdate[] {
    const entry = this.#docs.get(guid)
    this.#docs.delete(guid)
    return entry?.updates ?? []
  }
}
