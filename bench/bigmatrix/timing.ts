/** What the kernel measurements share, in Node and in the page: seeded operands and a best-of timer. */

/** `length` values in [-0.5, 0.5) from a xorshift seeded with `seed`: the same operands in every engine. */
export function seeded(length: number, seed: number): Float64Array {
  let x = seed >>> 0 || 1
  return Float64Array.from({ length }, () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296 - 0.5
  })
}

/** Best of `runs` samples, in ms per call; each sample repeats `body` until it lasts 30 ms or more, so small sizes time well too. */
export function bestMs(runs: number, body: () => void): number {
  let best = Infinity
  for (let r = 0; r < runs; r++) {
    let reps = 0
    const started = performance.now()
    do {
      body()
      reps++
    } while (performance.now() - started < 30)
    best = Math.min(best, (performance.now() - started) / reps)
  }
  return best
}
