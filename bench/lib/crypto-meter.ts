import type { Ed25519Engine } from '@tessera/core'

/**
 * Bench-only: an Ed25519 engine that passes every call to the engine a
 * process already uses and adds up how many signatures it made and checked
 * and the time they took. Installed with `useEd25519Engine` in the dispatch
 * bench's host (after `connect()`, which installs node:crypto) and in its
 * donor tabs (`bench/pages/donor`), so issue 14's "signing and verification
 * cost at most 10% of dispatch throughput" is measured on a real job. The
 * production path never sees it.
 *
 * In a tab `performance.now()` is coarsened to 100 µs with jitter; the jitter
 * keeps a sum over hundreds of calls unbiased, which is all this reports.
 */
export interface CryptoCounts {
  signs: number
  signMs: number
  verifies: number
  verifyMs: number
}

export interface MeteredEngine {
  readonly engine: Ed25519Engine
  /** A copy of the counts so far. */
  counts(): CryptoCounts
}

export const zeroCounts = (): CryptoCounts => ({ signs: 0, signMs: 0, verifies: 0, verifyMs: 0 })

export function meteredEngine(inner: Ed25519Engine): MeteredEngine {
  const counts = zeroCounts()
  const engine: Ed25519Engine = {
    name: `metered ${inner.name}`,
    randomSecretKey: () => inner.randomSecretKey(),
    publicKeyOf: (secretKey) => inner.publicKeyOf(secretKey),
    sign(secretKey, message) {
      const t0 = performance.now()
      try {
        return inner.sign(secretKey, message)
      } finally {
        counts.signMs += performance.now() - t0
        counts.signs++
      }
    },
    verify(publicKey, message, signature) {
      const t0 = performance.now()
      try {
        return inner.verify(publicKey, message, signature)
      } finally {
        counts.verifyMs += performance.now() - t0
        counts.verifies++
      }
    },
  }
  return { engine, counts: () => ({ ...counts }) }
}

/** What happened between two snapshots of the same meter. */
export function countsSince(before: CryptoCounts, after: CryptoCounts): CryptoCounts {
  return { signs: after.signs - before.signs, signMs: after.signMs - before.signMs, verifies: after.verifies - before.verifies, verifyMs: after.verifyMs - before.verifyMs }
}
