/**
 * Ed25519 sign and verify, per operation, for the `signatures` section: the
 * synchronous engines (core's `Ed25519Engine`: noble, node:crypto) and
 * WebCrypto's asynchronous Ed25519. Runs unchanged in Node and in Chromium
 * (bench/pages/signatures). Operations run one after the other, as a reader
 * checking records meets them, so WebCrypto's figure includes its promise
 * round trip. The machine is shared: every row runs in batches, the rows of
 * one environment take turns batch by batch, and a row reports its median
 * batch, so a burst of load elsewhere skews no row against another.
 */
import type { Ed25519Engine } from '@tessera/core'
import { median } from '../lib/stats.ts'

export type SignatureOp = 'sign' | 'verify' | 'verify-new-signer'

export interface SignatureRow {
  readonly environment: 'node' | 'chromium'
  /** `noble`, `node:crypto` or `webcrypto`. */
  readonly engine: string
  /** `verify-new-signer`: a signer not seen before, so its key is imported (or a KeyObject built) first. */
  readonly op: SignatureOp
  /** Operations timed, over every batch. */
  readonly ops: number
  /** The median batch's. */
  readonly microsPerOp: number
  readonly batchMicrosPerOp: readonly number[]
}

export interface SignatureCounts {
  readonly batches: number
  /** Operations per batch for engines under about 0.3 ms (native, WebCrypto). */
  readonly fast: number
  /** Operations per batch for the pure-JS engine (1–3 ms each). */
  readonly slow: number
}

export const FULL_COUNTS: SignatureCounts = { batches: 8, fast: 500, slow: 125 }
export const QUICK_COUNTS: SignatureCounts = { batches: 2, fast: 40, slow: 10 }

/** 32 bytes: what a peer signs is one batch's root hash, not the records themselves. */
const MESSAGE_BYTES = 32
const KNOWN_SIGNERS = 16
const SIGNED_MESSAGES = 256
/** More signers than node-ed25519.ts keeps KeyObjects for, so no `verify-new-signer` finds its key cached. */
const NEW_SIGNERS_NATIVE = 1024
/** WebCrypto keeps no keys between calls: a smaller set (made with the slow engine in tabs) shows the same. */
const NEW_SIGNERS_WEBCRYPTO = 128

/** One row's operations, run a batch at a time; `i` runs on across batches, so inputs cycle rather than repeat at once. */
export interface Measurer {
  readonly engine: string
  readonly op: SignatureOp
  readonly perBatch: number
  /** Runs operation `i`. */
  run(i: number): void | Promise<unknown>
}

interface Signed {
  readonly secretKey: Uint8Array
  readonly publicKey: Uint8Array
  readonly message: Uint8Array
  readonly signature: Uint8Array
}

/** Signed messages from `signers` distinct keys, message j by signer j % signers. */
function signedSet(reference: Ed25519Engine, signers: number, count: number): Signed[] {
  const keys = Array.from({ length: signers }, () => {
    const secretKey = reference.randomSecretKey()
    return { secretKey, publicKey: reference.publicKeyOf(secretKey) }
  })
  return Array.from({ length: count }, (_, j) => {
    const key = keys[j % signers]!
    const message = globalThis.crypto.getRandomValues(new Uint8Array(MESSAGE_BYTES))
    return { ...key, message, signature: reference.sign(key.secretKey, message) }
  })
}

function refused(engine: string): Error {
  return new Error(`signature bench: ${engine} refused a good signature`)
}

/** Sign, verify (a few known signers) and, with `newSigners`, verify from signers never seen before. */
export function engineMeasurers(engine: Ed25519Engine, reference: Ed25519Engine, perBatch: number, newSigners: boolean): Measurer[] {
  const known = signedSet(reference, KNOWN_SIGNERS, SIGNED_MESSAGES)
  const at = (i: number): Signed => known[i % known.length]!
  const measurers: Measurer[] = [
    { engine: engine.name, op: 'sign', perBatch, run: (i) => void engine.sign(at(i).secretKey, at(i).message) },
    {
      engine: engine.name,
      op: 'verify',
      perBatch,
      run(i) {
        if (!engine.verify(at(i).publicKey, at(i).message, at(i).signature)) throw refused(engine.name)
      },
    },
  ]
  if (newSigners) {
    const fresh = signedSet(reference, NEW_SIGNERS_NATIVE, NEW_SIGNERS_NATIVE)
    measurers.push({
      engine: engine.name,
      op: 'verify-new-signer',
      perBatch,
      // A signer comes back only after all 1,023 others: long gone from any cache.
      run(i) {
        const signed = fresh[i % fresh.length]!
        if (!engine.verify(signed.publicKey, signed.message, signed.signature)) throw refused(engine.name)
      },
    })
  }
  return measurers
}

// RFC 8410's DER prefix: WebCrypto imports an Ed25519 secret key only as PKCS#8 or JWK.
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])
const ED25519 = { name: 'Ed25519' } as const

function importPrivate(secretKey: Uint8Array): Promise<CryptoKey> {
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + secretKey.length)
  pkcs8.set(PKCS8_PREFIX)
  pkcs8.set(secretKey, PKCS8_PREFIX.length)
  return globalThis.crypto.subtle.importKey('pkcs8', pkcs8, ED25519, false, ['sign'])
}

const importPublic = (publicKey: Uint8Array): Promise<CryptoKey> => globalThis.crypto.subtle.importKey('raw', new Uint8Array(publicKey), ED25519, false, ['verify'])

/** WebCrypto's Ed25519 (checked to sign exactly as `reference` does), or none when this runtime lacks it. */
export async function webCryptoMeasurers(reference: Ed25519Engine, perBatch: number): Promise<Measurer[]> {
  const subtle = globalThis.crypto?.subtle
  const known = signedSet(reference, KNOWN_SIGNERS, SIGNED_MESSAGES)
  let privateKeys: CryptoKey[]
  try {
    privateKeys = await Promise.all(known.slice(0, KNOWN_SIGNERS).map((signed) => importPrivate(signed.secretKey)))
  } catch {
    return []
  }
  const publicKeys = await Promise.all(known.slice(0, KNOWN_SIGNERS).map((signed) => importPublic(signed.publicKey)))
  const at = (i: number): Signed => known[i % known.length]!
  const signer = (i: number): number => (i % known.length) % KNOWN_SIGNERS
  // Ed25519 is deterministic: WebCrypto must produce the reference engine's very bytes.
  const first = new Uint8Array(await subtle.sign(ED25519, privateKeys[0]!, new Uint8Array(at(0).message)))
  if (first.length !== 64 || first.some((byte, i) => byte !== at(0).signature[i])) throw new Error('signature bench: WebCrypto signs differently from the reference engine')
  const fresh = signedSet(reference, NEW_SIGNERS_WEBCRYPTO, NEW_SIGNERS_WEBCRYPTO)
  return [
    { engine: 'webcrypto', op: 'sign', perBatch, run: (i) => subtle.sign(ED25519, privateKeys[signer(i)]!, new Uint8Array(at(i).message)) },
    {
      engine: 'webcrypto',
      op: 'verify',
      perBatch,
      async run(i) {
        if (!(await subtle.verify(ED25519, publicKeys[signer(i)]!, new Uint8Array(at(i).signature), new Uint8Array(at(i).message)))) throw refused('webcrypto')
      },
    },
    {
      engine: 'webcrypto',
      op: 'verify-new-signer',
      perBatch,
      async run(i) {
        const signed = fresh[i % fresh.length]!
        if (!(await subtle.verify(ED25519, await importPublic(signed.publicKey), new Uint8Array(signed.signature), new Uint8Array(signed.message)))) throw refused('webcrypto')
      },
    },
  ]
}

/** µs per operation over operations `from` … `from + count - 1`, awaiting only what returns a promise. */
async function timeBatch(measurer: Measurer, from: number, count: number): Promise<number> {
  const started = performance.now()
  for (let i = from; i < from + count; i++) {
    const result = measurer.run(i)
    if (result !== undefined) await result
  }
  return ((performance.now() - started) * 1000) / count
}

/** A warm-up batch each, then `batches` rounds in which every measurer runs one batch. */
export async function measureInTurns(environment: SignatureRow['environment'], measurers: readonly Measurer[], batches: number): Promise<SignatureRow[]> {
  const next = measurers.map(() => 0)
  const results: number[][] = measurers.map(() => [])
  for (const [m, measurer] of measurers.entries()) {
    const warmup = Math.max(5, Math.round(measurer.perBatch / 4))
    await timeBatch(measurer, 0, warmup)
    next[m] = warmup
  }
  for (let round = 0; round < batches; round++) {
    for (const [m, measurer] of measurers.entries()) {
      results[m]!.push(await timeBatch(measurer, next[m]!, measurer.perBatch))
      next[m]! += measurer.perBatch
    }
  }
  return measurers.map((measurer, m) => ({
    environment,
    engine: measurer.engine,
    op: measurer.op,
    ops: measurer.perBatch * batches,
    microsPerOp: median(results[m]!),
    batchMicrosPerOp: results[m]!,
  }))
}
