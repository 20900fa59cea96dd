/**
 * A token bucket that may run into debt: a sender past its allowance has its
 * excess refused, and one that keeps going while refused digs deeper, so that
 * `debt` tells a burst from a flood.
 */
export class TokenBucket {
  #tokens: number
  #at: number

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst
    this.#at = now
  }

  /** Takes `amount`; false (and the debt grows) when the bucket is empty. */
  take(amount: number, now: number): boolean {
    this.#refill(now)
    this.#tokens -= amount
    return this.#tokens >= 0
  }

  /** How many bursts' worth the sender owes: 0 while within its allowance. */
  debtInBursts(): number {
    return this.#tokens >= 0 ? 0 : -this.#tokens / this.burst
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#at) / 1000
    this.#at = now
    this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.perSecond)
  }
}
