import type { PeerId } from '@tessera/core'

/**
 * Remembers which peers have answered a whole sync of one document (the swarm
 * document), so that a joining peer can wait for the first answer.
 */
export class FirstSync {
  readonly #answered = new Set<PeerId>()
  readonly #waiters = new Set<(peer: PeerId) => void>()

  constructor(private readonly guid: string) {}

  /** The replicator's `onSynced`. */
  synced(peer: PeerId, guid: string): void {
    if (guid !== this.guid) return
    this.#answered.add(peer)
    for (const waiter of [...this.#waiters]) waiter(peer)
    this.#waiters.clear()
  }

  /** The first peer that answered, at once if one has; undefined after `timeoutMs` with no answer. */
  first(timeoutMs: number): Promise<PeerId | undefined> {
    const [answered] = this.#answered
    if (answered !== undefined) return Promise.resolve(answered)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(done)
        resolve(undefined)
      }, timeoutMs)
      const done = (peer: PeerId): void => {
        clearTimeout(timer)
        resolve(peer)
      }
      this.#waiters.add(done)
    })
  }
}
