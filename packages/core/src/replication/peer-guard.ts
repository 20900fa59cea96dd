import type { Clock } from '../clock.ts'
import { RateLimitError } from '../errors.ts'
import type { PeerId } from '../ids.ts'
import type { ReplicationLimits } from './limits.ts'
import { TokenBucket } from './token-bucket.ts'

interface Allowance {
  readonly messages: TokenBucket
  readonly bytes: TokenBucket
  reported: boolean
}

/**
 * Each peer's share: messages and unsolicited bytes per second. What a peer sends
 * past its share is dropped (anti-entropy brings back anything honest that was
 * lost); a peer that keeps flooding is reported once, for the mesh to drop.
 */
export class PeerGuard {
  readonly #peers = new Map<PeerId, Allowance>()

  constructor(
    private readonly limits: ReplicationLimits,
    private readonly clock: Clock,
    private readonly report: (peer: PeerId, error: Error) => void,
  ) {}

  /** Whether to handle a message; `solicited` bytes (a reply we asked for) count only as a message. */
  admit(peer: PeerId, bytes: number, solicited: boolean): boolean {
    const now = this.clock.now()
    let allowance = this.#peers.get(peer)
    if (allowance === undefined) {
      const { messagesPerSecond, burstMessages, bytesPerSecond, burstBytes } = this.limits
      allowance = {
        messages: new TokenBucket(messagesPerSecond, burstMessages, now),
        bytes: new TokenBucket(bytesPerSecond, burstBytes, now),
        reported: false,
      }
      this.#peers.set(peer, allowance)
    }
    const withinMessages = allowance.messages.take(1, now)
    const withinBytes = solicited || allowance.bytes.take(bytes, now)
    if (withinMessages && withinBytes) return true
    const debt = Math.max(allowance.messages.debtInBursts(), allowance.bytes.debtInBursts())
    if (debt >= this.limits.banAfterBursts && !allowance.reported) {
      allowance.reported = true
      this.report(peer, new RateLimitError(`peer ${peer} sent past its allowance (${debt.toFixed(1)} bursts over)`))
    }
    return false
  }

  forget(peer: PeerId): void {
    this.#peers.delete(peer)
  }
}
