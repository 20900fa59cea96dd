import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { addressOf, decodeCanonical, encodeCanonical, TYPED_ARRAY_NAMES } from '@tessera/core'
import { servePage, type ServedPage } from '../support/built-page.ts'
import { launchChromium } from '../support/chromium.ts'
import { sampleValues } from '../support/random-values.ts'

// Chromium must compute the same content address as Node for every kind of value:
// both sides draw the same seeded values (tests/support/random-values.ts) and
// hash them, and the test compares the 1,000 addresses one by one.

const SEED = 20261122
const COUNT = 1000
const RESULT_TIMEOUT_MS = 60_000
const MAX_REPORTED_MISMATCHES = 5
const PAGE_ROOT = fileURLToPath(new URL('./pages/addresses/', import.meta.url))

interface AddressResult {
  addresses: string[]
  encodedHex: string[]
  loneSurrogateError: string
}

type PageGlobals = typeof globalThis & { addressResult?: AddressResult; addressError?: string }

let browser: Browser | undefined
let server: ServedPage | undefined
let baseUrl = ''

beforeAll(async () => {
  browser = await launchChromium()
  server = await servePage(PAGE_ROOT)
  baseUrl = server.url
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('addresses in Chromium', () => {
  it(`match Node for ${COUNT} seeded random values (seed ${SEED})`, async () => {
    if (browser === undefined) throw new Error('Chromium did not start')
    const page = await browser.newPage()
    const pageLog: string[] = []
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.stack ?? error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') pageLog.push(`console.${message.type()}: ${message.text()}`)
    })
    page.on('requestfailed', (request) => pageLog.push(`request failed: ${request.url()} (${request.failure()?.errorText})`))
    page.on('response', (response) => {
      if (response.status() >= 400) pageLog.push(`HTTP ${response.status()}: ${response.url()}`)
    })
    const withPageLog = (message: string): string => {
      const lines = [...pageErrors, ...pageLog]
      return lines.length === 0 ? message : `${message}\n\nbrowser output:\n  ${lines.join('\n  ')}`
    }

    const started = performance.now()
    await page.goto(`${baseUrl}?seed=${SEED}&count=${COUNT}`)
    try {
      await page.waitForFunction(
        () => (globalThis as PageGlobals).addressResult !== undefined || (globalThis as PageGlobals).addressError !== undefined,
        undefined,
        { timeout: RESULT_TIMEOUT_MS, polling: 100 },
      )
    } catch (error) {
      throw new Error(withPageLog(`the page published no result within ${RESULT_TIMEOUT_MS} ms: ${String(error)}`))
    }
    const outcome = await page.evaluate(() => ({
      result: (globalThis as PageGlobals).addressResult,
      error: (globalThis as PageGlobals).addressError,
    }))
    const browserMs = performance.now() - started
    if (outcome.error !== undefined || outcome.result === undefined) {
      throw new Error(withPageLog(`the page failed: ${outcome.error ?? 'no result'}`))
    }
    const browserResult = outcome.result
    expect(pageErrors, withPageLog('uncaught errors in the page')).toEqual([])

    const nodeStarted = performance.now()
    const values = sampleValues(SEED, COUNT)
    const nodeAddresses = values.map((value) => addressOf(value))
    const nodeHex = values.map((value) => toHex(encodeCanonical(value)))
    const nodeMs = performance.now() - nodeStarted
    console.info(
      `${COUNT} addresses: Chromium page ${browserMs.toFixed(0)} ms (load, generate, hash), Node ${nodeMs.toFixed(0)} ms`,
    )

    expect(browserResult.addresses, withPageLog('the page returned the wrong number of addresses')).toHaveLength(COUNT)
    expect(browserResult.encodedHex).toHaveLength(COUNT)
    // Strings that are not valid Unicode are refused in both, never silently changed.
    expect(browserResult.loneSurrogateError).toBe('EncodingError')

    const mismatches = nodeAddresses.flatMap((address, i) => (browserResult.addresses[i] === address ? [] : [i]))
    if (mismatches.length > 0) {
      const reports = mismatches.slice(0, MAX_REPORTED_MISMATCHES).map((i) =>
        describeMismatch(i, values[i], nodeAddresses[i] ?? '', browserResult.addresses[i] ?? '', nodeHex[i] ?? '', browserResult.encodedHex[i] ?? ''),
      )
      const more = mismatches.length > MAX_REPORTED_MISMATCHES ? `\n\n…and ${mismatches.length - MAX_REPORTED_MISMATCHES} more` : ''
      expect.fail(
        withPageLog(
          `${mismatches.length} of ${COUNT} values have a different address in Chromium than in Node ` +
            `(indices ${mismatches.slice(0, 20).join(', ')}${mismatches.length > 20 ? ', …' : ''}):\n\n${reports.join('\n\n')}${more}`,
        ),
      )
    }

    // The comparison could fail: the addresses are mostly distinct...
    const distinct = new Set(nodeAddresses).size
    expect(distinct, `only ${distinct} distinct addresses among ${COUNT} values`).toBeGreaterThanOrEqual(900)
    // ...and the values cover every kind that has its own encoding.
    const kinds = new Set<string>()
    for (const value of values) collectKinds(value, kinds)
    const missing = REQUIRED_KINDS.filter((kind) => !kinds.has(kind))
    expect(missing, `kinds of value never generated with seed ${SEED}`).toEqual([])
  })
})

// ---------------------------------------------------------------- helpers

const REQUIRED_KINDS = [
  'null',
  'undefined',
  'boolean',
  'string',
  'surrogate pair',
  'string of 24+ units',
  'string of 200+ units',
  'number',
  '-0',
  'NaN',
  'Infinity',
  '-Infinity',
  'unsafe integer',
  'non-integer',
  'bigint',
  'bigint beyond 64 bits',
  'Date',
  'Date before 1970 with milliseconds',
  'ArrayBuffer',
  ...TYPED_ARRAY_NAMES,
  'typed array view with byteOffset > 0',
  'Array',
  'plain object',
  'null-prototype object',
  'Map',
  'Map with object key',
  'Map inside a Map',
  'Set',
]

const SURROGATE_PAIR = /[\ud800-\udbff][\udc00-\udfff]/

function tagOf(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1)
}

function collectKinds(value: unknown, kinds: Set<string>, insideMap = false): void {
  if (value === null) return void kinds.add('null')
  switch (typeof value) {
    case 'undefined':
    case 'boolean':
      kinds.add(typeof value)
      return
    case 'string':
      kinds.add('string')
      if (SURROGATE_PAIR.test(value)) kinds.add('surrogate pair')
      if (value.length >= 24) kinds.add('string of 24+ units')
      if (value.length >= 200) kinds.add('string of 200+ units')
      return
    case 'number':
      kinds.add('number')
      if (Object.is(value, -0)) kinds.add('-0')
      else if (Number.isNaN(value)) kinds.add('NaN')
      else if (value === Infinity) kinds.add('Infinity')
      else if (value === -Infinity) kinds.add('-Infinity')
      else if (Number.isInteger(value) && !Number.isSafeInteger(value)) kinds.add('unsafe integer')
      else if (!Number.isInteger(value)) kinds.add('non-integer')
      return
    case 'bigint':
      kinds.add('bigint')
      if (value >= 2n ** 64n || value < -(2n ** 64n)) kinds.add('bigint beyond 64 bits')
      return
  }
  if (typeof value !== 'object') return
  const tag = tagOf(value)
  if ((TYPED_ARRAY_NAMES as readonly string[]).includes(tag)) {
    kinds.add(tag)
    if ((value as ArrayBufferView).byteOffset > 0) kinds.add('typed array view with byteOffset > 0')
  } else if (tag === 'ArrayBuffer') {
    kinds.add('ArrayBuffer')
  } else if (value instanceof Date) {
    kinds.add('Date')
    if (value.getTime() < 0 && value.getTime() % 1000 !== 0) kinds.add('Date before 1970 with milliseconds')
  } else if (Array.isArray(value)) {
    kinds.add('Array')
    for (const item of value) collectKinds(item, kinds, insideMap)
  } else if (value instanceof Map) {
    kinds.add('Map')
    if (insideMap) kinds.add('Map inside a Map')
    for (const [key, item] of value) {
      if (typeof key === 'object' && key !== null) kinds.add('Map with object key')
      collectKinds(key, kinds, true)
      collectKinds(item, kinds, true)
    }
  } else if (value instanceof Set) {
    kinds.add('Set')
    for (const item of value) collectKinds(item, kinds, insideMap)
  } else {
    kinds.add(Object.getPrototypeOf(value) === null ? 'null-prototype object' : 'plain object')
    for (const item of Object.values(value)) collectKinds(item, kinds, insideMap)
  }
}

function toHex(bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length >> 1)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return bytes
}

/** A readable rendering that keeps what JSON and fc.stringify lose: -0, bigints, bytes, offsets, prototypes. */
function show(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (value === null) return 'null'
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'string':
      return JSON.stringify(value)
    case 'boolean':
      return String(value)
    case 'object':
      break
    default:
      return `<${typeof value}>`
  }
  const tag = tagOf(value)
  if ((TYPED_ARRAY_NAMES as readonly string[]).includes(tag)) {
    const view = value as ArrayBufferView & ArrayLike<number | bigint>
    const items = Array.from(view, (item) => show(item)).join(', ')
    const bytes = toHex(new Uint8Array(view.buffer, view.byteOffset, view.byteLength))
    const offset = view.byteOffset > 0 || view.byteLength !== view.buffer.byteLength
      ? `, byteOffset ${view.byteOffset} of a ${view.buffer.byteLength}-byte buffer`
      : ''
    return `${tag}.of(${items}) /* bytes ${bytes}${offset} */`
  }
  if (tag === 'ArrayBuffer') return `ArrayBuffer(${toHex(new Uint8Array(value as ArrayBuffer))})`
  if (value instanceof Date) return `new Date(${value.getTime()}) /* ${value.toISOString()} */`
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`
  if (value instanceof Map) return `new Map([${[...value].map(([k, v]) => `[${show(k)}, ${show(v)}]`).join(', ')}])`
  if (value instanceof Set) return `new Set([${[...value].map(show).join(', ')}])`
  const body = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${show(v)}`).join(', ')
  return Object.getPrototypeOf(value) === null ? `{ __proto__: null, ${body} }` : `{ ${body} }`
}

const CLIP_CHARS = 4000

function clip(text: string): string {
  return text.length <= CLIP_CHARS ? text : `${text.slice(0, CLIP_CHARS)}… (${text.length - CLIP_CHARS} more characters)`
}

function decodedForReport(hex: string): string {
  try {
    return show(decodeCanonical(fromHex(hex)))
  } catch (error) {
    return `<does not decode: ${String(error)}>`
  }
}

function describeMismatch(
  index: number,
  value: unknown,
  nodeAddress: string,
  browserAddress: string,
  nodeHex: string,
  browserHex: string,
): string {
  let firstDifference = 0
  while (firstDifference < nodeHex.length && nodeHex.slice(firstDifference, firstDifference + 2) === browserHex.slice(firstDifference, firstDifference + 2)) {
    firstDifference += 2
  }
  const sameBytes = nodeHex === browserHex
    ? 'yes: the hashes differ'
    : `no: they first differ at byte ${firstDifference / 2} (Node ${nodeHex.length / 2} bytes, Chromium ${browserHex.length / 2})`
  return [
    `value #${index}:`,
    `  value (Node):            ${clip(show(value))}`,
    `  address Node:            ${nodeAddress}`,
    `  address Chromium:        ${browserAddress}`,
    `  bytes Node:              ${clip(nodeHex)}`,
    `  bytes Chromium:          ${clip(browserHex)}`,
    `  same bytes:              ${sameBytes}`,
    `  Chromium bytes decode to ${clip(decodedForReport(browserHex))}`,
  ].join('\n')
}
