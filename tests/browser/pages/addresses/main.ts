import { addressOf, encodeCanonical } from '@tessera/core'
import { sampleValues } from '../../../support/random-values.ts'

/**
 * Reads `seed` and `count` from the query string, computes the address and the
 * canonical bytes of each seeded random value, and publishes them on
 * `globalThis.addressResult` (or the failure on `globalThis.addressError`) for
 * tests/browser/addresses.test.ts to compare with Node.
 */

interface AddressResult {
  addresses: string[]
  encodedHex: string[]
  /** What encoding a string with a lone surrogate raised here: it must be refused, as in Node. */
  loneSurrogateError: string
}

const output = globalThis as typeof globalThis & { addressResult?: AddressResult; addressError?: string }

function toHex(bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}

function integerParam(params: URLSearchParams, name: string): number {
  const text = params.get(name)
  const n = Number(text)
  if (text === null || text === '' || !Number.isSafeInteger(n)) throw new Error(`query parameter ${name} must be an integer, got ${text}`)
  return n
}

function refusalOf(value: unknown): string {
  try {
    encodeCanonical(value)
    return 'accepted'
  } catch (error) {
    return error instanceof Error ? error.name : String(error)
  }
}

try {
  const params = new URLSearchParams(location.search)
  const values = sampleValues(integerParam(params, 'seed'), integerParam(params, 'count'))
  output.addressResult = {
    addresses: values.map((value) => addressOf(value)),
    encodedHex: values.map((value) => toHex(encodeCanonical(value))),
    loneSurrogateError: refusalOf('a\udc00b'),
  }
} catch (error) {
  output.addressError = error instanceof Error ? `${String(error)}\n${error.stack ?? ''}` : String(error)
}
