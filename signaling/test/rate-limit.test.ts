import { describe, expect, it } from 'vitest'
import { FrameRateLimiter, type RateDecision } from '../src/rate-limit.ts'

const config = { framesPerSecond: 10, burst: 20, floodFactor: 10, floodWindowMs: 1000 }

function takeMany(limiter: FrameRateLimiter, n: number, now: number): Record<RateDecision, number> {
  const counts: Record<RateDecision, number> = { allow: 0, drop: 0, flood: 0 }
  for (let i = 0; i < n; i++) counts[limiter.take(now)] += 1
  return counts
}

describe('FrameRateLimiter', () => {
  it('allows the burst at once, then drops', () => {
    const limiter = new FrameRateLimiter(config, 0)
    expect(takeMany(limiter, 25, 0)).toEqual({ allow: 20, drop: 5, flood: 0 })
  })

  it('refills at the sustained rate, up to the burst', () => {
    const limiter = new FrameRateLimiter(config, 0)
    takeMany(limiter, 20, 0)
    expect(takeMany(limiter, 5, 500)).toEqual({ allow: 5, drop: 0, flood: 0 })
    expect(limiter.take(500)).toBe('drop')
    // A long pause refills only to the burst.
    expect(takeMany(limiter, 30, 60_000)).toMatchObject({ allow: 20, drop: 10 })
  })

  it('serves a client sending twice the rate at the rate, after its burst', () => {
    const limiter = new FrameRateLimiter(config, 0)
    let allowed = 0
    for (let t = 0; t < 10_000; t += 50) if (limiter.take(t) === 'allow') allowed += 1
    // 20 from the burst, then 10 per second for 10 s (the last refill lands at t = 9950).
    expect(allowed).toBeGreaterThanOrEqual(119)
    expect(allowed).toBeLessThanOrEqual(120)
  })

  it('reports flooding past floodFactor × rate within one window, and forgets it in the next', () => {
    const limiter = new FrameRateLimiter(config, 0)
    expect(takeMany(limiter, 100, 0)).toEqual({ allow: 20, drop: 80, flood: 0 })
    expect(limiter.take(999)).toBe('flood')
    expect(limiter.take(1000)).not.toBe('flood')
  })

  it('does not mint tokens when the clock steps back', () => {
    const limiter = new FrameRateLimiter(config, 10_000)
    takeMany(limiter, 20, 10_000)
    expect(limiter.take(5_000)).toBe('drop')
    expect(limiter.take(10_000)).toBe('drop')
  })

  it('says to report a drop at most once per second', () => {
    const limiter = new FrameRateLimiter(config, 0)
    expect(limiter.shouldReport(0)).toBe(true)
    expect(limiter.shouldReport(10)).toBe(false)
    expect(limiter.shouldReport(999)).toBe(false)
    expect(limiter.shouldReport(1000)).toBe(true)
  })
})
