import type { Clock } from '../clock.ts'
import type { PeerId } from '../ids.ts'

export interface Inbound {
  readonly from: PeerId
  readonly update: Uint8Array
  /** A fresh change (not a sync reply), which a relay passes on. */
  readonly relayable: boolean
  /** The last piece of a sync reply: once applied, this peer holds what `from` had when it answered. */
  readonly completesSync?: boolean
}

export interface ApplyQueueHost {
  readonly clock: Clock
  /** How long the first arrival waits for company, so that bursts apply as one transaction. */
  readonly delayMs: number
  /** Merge consecutive updates of one document into one apply, up to this many bytes (0: never merge). */
  readonly mergeBytes: number
  readonly sliceMs: number
  apply(guid: string, batch: readonly Inbound[]): void
  readonly closed: boolean
}

/**
 * Received updates wait here and are applied in arrival order, a slice of time
 * at a time: however many arrive at once (a sync of a large document, a flood),
 * the event loop gets a turn every `sliceMs`.
 */
export class ApplyQueue {
  #items: Array<{ readonly guid: string; readonly inbound: Inbound }> = []
  #scheduled = false

  constructor(private readonly host: ApplyQueueHost) {}

  get length(): number {
    return this.#items.length
  }

  push(guid: string, inbound: Inbound): void {
    this.#items.push({ guid, inbound })
    this.#schedule(this.host.delayMs)
  }

  #schedule(ms: number): void {
    if (this.#scheduled) return
    this.#scheduled = true
    this.host.clock.setTimeout(() => this.#drain(), ms)
  }

  #drain(): void {
    this.#scheduled = false
    const { clock, mergeBytes, sliceMs } = this.host
    const started = clock.now()
    let i = 0
    while (i < this.#items.length && !this.host.closed) {
      const first = this.#items[i] as { guid: string; inbound: Inbound }
      const batch = [first.inbound]
      let bytes = first.inbound.update.byteLength
      for (i++; i < this.#items.length; i++) {
        const next = this.#items[i] as { guid: string; inbound: Inbound }
        if (next.guid !== first.guid || bytes + next.inbound.update.byteLength > mergeBytes) break
        batch.push(next.inbound)
        bytes += next.inbound.update.byteLength
      }
      this.host.apply(first.guid, batch)
      if (clock.now() - started >= sliceMs) break
    }
    this.#items = this.host.closed ? [] : this.#items.slice(i)
    if (this.#items.length > 0) this.#schedule(0)
  }
}
