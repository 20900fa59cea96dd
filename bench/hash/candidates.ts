// Content-address hash candidates, measured identically in Node and in Chromium.
// Environment-agnostic on purpose: only performance.now(), globalThis.crypto and
// the hash libraries themselves; no Node or DOM imports.

import { sha256 } from '@noble/hashes/sha2.js'
import { blake3 } from '@noble/hashes/blake3.js'
import { createBLAKE3, createSHA256, type IHasher } from 'hash-wasm'

export type HashAlgorithm = 'sha2-256' | 'blake3'

export type CandidateName =
  | 'noble-sha256'
  | 'noble-blake3'
  | 'webcrypto-sha256'
  | 'hashwasm-sha256'
  | 'hashwasm-blake3'

/** Multihash codes (multicodec table) for the two algorithms. */
export const MULTIHASH_CODE: Record<HashAlgorithm, number> = { 'sha2-256': 0x12, blake3: 0x1e }

export interface HashBenchRow {
  candidate: CandidateName
  algorithm: HashAlgorithm
  /** Input size in bytes. */
  size: number
  /** Throughput in MB/s, where 1 MB = 10^6 bytes. */
  mbPerSec: number
  /** Mean wall-clock time per hash, in microseconds. */
  microsPerHash: number
  /** Number of hashes in the timed batch. */
  reps: number
  /** Hex digest of the seeded input of this size (identical across environments). */
  digest: string
}

export interface MeasureOptions {
  /** Input sizes in bytes. */
  sizes?: readonly number[]
  /** Approximate duration of the timed batch per (candidate, size), in ms. */
  targetMs?: number
  /** Minimum warmup duration per (candidate, size), in ms. */
  warmupMs?: number
  /** Seed of the pseudo-random input bytes. */
  seed?: number
  /** Called with a short human-readable message after each measurement. */
  onProgress?: (message: string) => void
}

export const FULL_SIZES: readonly number[] = [64, 1024, 64 * 1024, 1024 * 1024, 16 * 1024 * 1024]
export const QUICK_SIZES: readonly number[] = [64, 64 * 1024]

/** The option presets shared by the Node script and the Chromium page. */
export function benchOptions(quick: boolean): MeasureOptions {
  return quick
    ? { sizes: QUICK_SIZES, targetMs: 20, warmupMs: 10 }
    : { sizes: FULL_SIZES, targetMs: 200, warmupMs: 50 }
}

export function formatSize(size: number): string {
  if (size >= 1024 * 1024 && size % (1024 * 1024) === 0) return `${size / (1024 * 1024)} MiB`
  if (size >= 1024 && size % 1024 === 0) return `${size / 1024} KiB`
  return `${size} B`
}

type Bytes = Uint8Array<ArrayBuffer>

interface Candidate {
  name: CandidateName
  algorithm: HashAlgorithm
  /** One digest, for the agreement checks. */
  digest(data: Bytes): Promise<Uint8Array>
  /** Hashes `data` `reps` times back to back; returns a value derived from the digests. */
  loop(data: Bytes, reps: number): Promise<number>
}

function syncCandidate(name: CandidateName, algorithm: HashAlgorithm, hash: (data: Bytes) => Uint8Array): Candidate {
  return {
    name,
    algorithm,
    digest: async (data) => hash(data),
    loop: async (data, reps) => {
      let acc = 0
      for (let i = 0; i < reps; i++) acc = (acc + hash(data)[0]!) | 0
      return acc
    },
  }
}

function hashWasmCandidate(name: CandidateName, algorithm: HashAlgorithm, hasher: IHasher): Candidate {
  return syncCandidate(name, algorithm, (data) => hasher.init().update(data).digest('binary'))
}

function webCryptoSha256(): Candidate {
  const subtle = globalThis.crypto?.subtle
  if (subtle === undefined) throw new Error('globalThis.crypto.subtle is not available (insecure context?)')
  return {
    name: 'webcrypto-sha256',
    algorithm: 'sha2-256',
    digest: async (data) => new Uint8Array(await subtle.digest('SHA-256', data)),
    loop: async (data, reps) => {
      let acc = 0
      for (let i = 0; i < reps; i++) {
        const out = new Uint8Array(await subtle.digest('SHA-256', data))
        acc = (acc + out[0]!) | 0
      }
      return acc
    },
  }
}

/** Builds every candidate; the one-time WASM instantiation happens here, outside any timing. */
async function createCandidates(): Promise<Candidate[]> {
  const [wasmSha256, wasmBlake3] = await Promise.all([createSHA256(), createBLAKE3()])
  return [
    syncCandidate('noble-sha256', 'sha2-256', (data) => sha256(data)),
    webCryptoSha256(),
    hashWasmCandidate('hashwasm-sha256', 'sha2-256', wasmSha256),
    syncCandidate('noble-blake3', 'blake3', (data) => blake3(data)),
    hashWasmCandidate('hashwasm-blake3', 'blake3', wasmBlake3),
  ]
}

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/** Deterministic pseudo-random bytes (mulberry32), identical in every environment. */
export function seededBytes(size: number, seed: number): Bytes {
  const out = new Uint8Array(new ArrayBuffer(size))
  let state = seed >>> 0
  for (let i = 0; i < size; i += 4) {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    const word = (t ^ (t >>> 14)) >>> 0
    out[i] = word & 0xff
    if (i + 1 < size) out[i + 1] = (word >>> 8) & 0xff
    if (i + 2 < size) out[i + 2] = (word >>> 16) & 0xff
    if (i + 3 < size) out[i + 3] = word >>> 24
  }
  return out
}

// Published test vectors for "abc": FIPS 180-2 (SHA-256) and the BLAKE3 reference implementation.
const KNOWN_ANSWERS: Record<HashAlgorithm, string> = {
  'sha2-256': 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  blake3: '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85',
}

/** Every implementation of an algorithm must produce the same digest; throws otherwise. */
async function checkAgreement(candidates: readonly Candidate[], data: Bytes, label: string): Promise<Map<CandidateName, string>> {
  const digests = new Map<CandidateName, string>()
  for (const c of candidates) digests.set(c.name, toHex(await c.digest(data)))
  for (const algorithm of Object.keys(KNOWN_ANSWERS) as HashAlgorithm[]) {
    const group = candidates.filter((c) => c.algorithm === algorithm)
    const distinct = new Set(group.map((c) => digests.get(c.name)))
    if (distinct.size !== 1) {
      const detail = group.map((c) => `  ${c.name}: ${digests.get(c.name)}`).join('\n')
      throw new Error(`${algorithm} implementations disagree on ${label}:\n${detail}`)
    }
  }
  return digests
}

async function checkKnownAnswers(candidates: readonly Candidate[]): Promise<void> {
  const abc = new Uint8Array(new ArrayBuffer(3))
  abc.set([0x61, 0x62, 0x63])
  const digests = await checkAgreement(candidates, abc, '"abc"')
  for (const c of candidates) {
    const got = digests.get(c.name)
    if (got !== KNOWN_ANSWERS[c.algorithm]) {
      throw new Error(`${c.name} fails the ${c.algorithm} known-answer test for "abc": got ${got}, want ${KNOWN_ANSWERS[c.algorithm]}`)
    }
  }
}

let sink = 0

/** Warms up with doubling batches, then times one batch sized to last about `targetMs`. */
async function measureOne(c: Candidate, data: Bytes, targetMs: number, warmupMs: number): Promise<{ reps: number; ms: number }> {
  let reps = 1
  let perHashMs = 0
  const warmStart = performance.now()
  for (;;) {
    const t0 = performance.now()
    sink ^= await c.loop(data, reps)
    const dt = performance.now() - t0
    perHashMs = dt / reps
    if (performance.now() - warmStart >= warmupMs) break
    reps *= 2
  }
  // Coarse timers (Chromium without cross-origin isolation: ~0.1 ms) can report 0 for a tiny batch.
  if (!(perHashMs > 0)) perHashMs = warmupMs / reps
  const timedReps = Math.max(1, Math.round(targetMs / perHashMs))
  const t0 = performance.now()
  sink ^= await c.loop(data, timedReps)
  const ms = performance.now() - t0
  return { reps: timedReps, ms }
}

export async function measureHashes(options: MeasureOptions = {}): Promise<HashBenchRow[]> {
  const { sizes = FULL_SIZES, targetMs = 200, warmupMs = 50, seed = 0x7e55e1a, onProgress } = options
  const candidates = await createCandidates()
  await checkKnownAnswers(candidates)

  const maxSize = Math.max(...sizes)
  const pool = seededBytes(maxSize, seed)
  const rows: HashBenchRow[] = []
  for (const size of sizes) {
    // A private copy per size: every candidate hashes a buffer starting at offset 0.
    const data = pool.slice(0, size)
    const digests = await checkAgreement(candidates, data, `${formatSize(size)} of seeded input`)
    for (const c of candidates) {
      const { reps, ms } = await measureOne(c, data, targetMs, warmupMs)
      const seconds = ms / 1000
      const row: HashBenchRow = {
        candidate: c.name,
        algorithm: c.algorithm,
        size,
        mbPerSec: (size * reps) / seconds / 1e6,
        microsPerHash: (ms * 1000) / reps,
        reps,
        digest: digests.get(c.name)!,
      }
      rows.push(row)
      onProgress?.(
        `${c.name.padEnd(17)} ${formatSize(size).padStart(7)}  ${row.mbPerSec.toFixed(1).padStart(8)} MB/s  ${row.microsPerHash.toFixed(2).padStart(11)} µs/hash  (${reps} reps)`,
      )
    }
  }
  // Keeps the digest-derived sink observable so no engine can treat the loops as dead code.
  if (sink === Number.MIN_SAFE_INTEGER) onProgress?.(`sink ${sink}`)
  return rows
}
