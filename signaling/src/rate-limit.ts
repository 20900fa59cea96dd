/**
 * Per-connection frame limiter: a token bucket decides which frames are served,
 * and a fixed window counts every frame received so a client that goes on
 * sending far past the limit can be disconnected instead of merely ignored.
 * Time is passed in (milliseconds), so tests drive it without timers.
 */

export interface RateLimitConfig {
  /** Sustained frames per second a connection may send. */
  readonly framesPerSecond: number
  /** Frames a connection may send at once after being quiet. */
  readonly burst: number
  /**
   * A connection that sends more than `floodFactor × framesPerSecond` frames
   * (served or dropped) within one flood window is flooding.
   */
  readonly floodFactor: number
  readonly floodWindowMs: number
}

/** `drop`: refuse this frame; `flood`: refuse it and disconnect. */
export type RateDecision = 'allow' | 'drop' | 'flood'

/** Most one `rate-limited` error frame per this many milliseconds. */
const REPORT_INTERVAL_MS = 1000

export class FrameRateLimiter {
  private tokens: number
  private refilledAt: number
  private windowStart: number
  private windowCount = 0
  private reportedAt = Number.NEGATIVE_INFINITY
  private readonly floodThreshold: number

  constructor(
    private readonly config: RateLimitConfig,
    now: number,
  ) {
    this.tokens = config.burst
    this.refilledAt = now
    this.windowStart = now
    this.floodThreshold = config.floodFactor * config.framesPerSecond * (config.floodWindowMs / 1000)
  }

  /** Accounts for one received frame. */
  take(now: number): RateDecision {
    if (now - this.windowStart >= this.config.floodWindowMs) {
      this.windowStart = now
      this.windowCount = 0
    }
    this.windowCount += 1
    if (this.windowCount > this.floodThreshold) return 'flood'

    // A clock that steps backwards must not mint tokens, then or when it catches up.
    const elapsed = Math.max(0, now - this.refilledAt)
    this.refilledAt = Math.max(this.refilledAt, now)
    this.tokens = Math.min(this.config.burst, this.tokens + (elapsed * this.config.framesPerSecond) / 1000)
    if (this.tokens >= 1) {
      this.tokens -= 1
      return 'allow'
    }
    return 'drop'
  }

  /** True at most once per second: whether a dropped frame deserves an error frame. */
  shouldReport(now: number): boolean {
    if (now - this.reportedAt < REPORT_INTERVAL_MS) return false
    this.reportedAt = now
    return true
  }
}
