import { nobleEd25519 } from '@tessera/core'
import { FULL_COUNTS, QUICK_COUNTS, engineMeasurers, measureInTurns, webCryptoMeasurers, type SignatureRow } from '../../signatures/measure.ts'

// The Chromium half of bench/signatures.ts: noble (what tabs sign and verify
// with) and WebCrypto's Ed25519, on the main thread. Sets
// `globalThis.signatureBench` to the rows, or `signatureBenchError`.
const output = globalThis as typeof globalThis & { signatureBench?: SignatureRow[]; signatureBenchError?: string }
const counts = new URLSearchParams(location.search).get('quick') === '1' ? QUICK_COUNTS : FULL_COUNTS

async function run(): Promise<SignatureRow[]> {
  const measurers = [...engineMeasurers(nobleEd25519, nobleEd25519, counts.slow, false), ...(await webCryptoMeasurers(nobleEd25519, counts.fast))]
  return measureInTurns('chromium', measurers, counts.batches)
}

run().then(
  (rows) => {
    output.signatureBench = rows
  },
  (error: unknown) => {
    output.signatureBench = []
    output.signatureBenchError = error instanceof Error ? (error.stack ?? error.message) : String(error)
  },
)
