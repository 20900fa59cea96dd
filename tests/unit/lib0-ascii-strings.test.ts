/**
 * The browser builds' lib0 with ASCII string paths (`@tessera/donate-page/vite-plugins`)
 * must write the same bytes, read the same strings and refuse the same input as
 * lib0 itself. The real lib0 sources are patched here and loaded beside the originals.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { afterAll, describe, expect, it } from 'vitest'
import { Lib0PatchError, lib0AsciiStrings, patchLib0 } from '@tessera/donate-page/vite-plugins'

// The ES module build, as a bundler resolves it.
const lib0 = dirname(fileURLToPath(import.meta.resolve('lib0/decoding')))
const written: string[] = []
async function patched<T>(name: 'decoding' | 'encoding'): Promise<T> {
  const source = join(lib0, `${name}.js`)
  const code = patchLib0(source, readFileSync(source, 'utf8'))
  if (code === undefined) throw new Error(`${source} was not patched`)
  // Beside the original, so that its relative imports resolve.
  const file = join(lib0, `${name}.tessera-ascii-${process.pid}.js`)
  writeFileSync(file, code)
  written.push(file)
  return (await import(pathToFileURL(file).href)) as T
}
afterAll(() => written.forEach((file) => rmSync(file, { force: true })))

const fastDecoding = await patched<typeof decoding>('decoding')
const fastEncoding = await patched<typeof encoding>('encoding')

const STRINGS = [
  '',
  'a',
  'peer',
  'claimedAt123',
  'leaseUntil123',
  'kcGyp4-Q2z9slcdiho1iyszCL-ow-ra6bGjV4O_l2r98',
  'x'.repeat(128),
  'y'.repeat(129),
  'z'.repeat(1_000),
  'é',
  'naïve',
  '日本語',
  '🙂 ok',
  'a\u0000b\u007f',
  `${'x'.repeat(20)}é`,
  `é${'x'.repeat(40)}`,
  '\ud800 lone',
]

function bytesOf(write: (encoder: encoding.Encoder, text: string) => void, texts: readonly string[]): Uint8Array {
  const encoder = encoding.createEncoder()
  for (const text of texts) write(encoder, text)
  return encoding.toUint8Array(encoder)
}

function readAll(read: (decoder: decoding.Decoder) => string, bytes: Uint8Array, count: number): { texts: string[]; pos: number } {
  const decoder = decoding.createDecoder(bytes)
  const texts = Array.from({ length: count }, () => read(decoder))
  return { texts, pos: decoder.pos }
}

function outcome(run: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: run() }
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` }
  }
}

describe("lib0's ASCII string paths", () => {
  it('write the same bytes as lib0, for every string', () => {
    for (const text of STRINGS) expect([text, bytesOf(fastEncoding.writeVarString, [text])]).toEqual([text, bytesOf(encoding.writeVarString, [text])])
  })

  it('read back, one after another, exactly what lib0 reads, ending at the same position', () => {
    const bytes = bytesOf(encoding.writeVarString, STRINGS)
    const ours = readAll(fastDecoding.readVarString, bytes, STRINGS.length)
    expect(ours).toEqual(readAll(decoding.readVarString, bytes, STRINGS.length))
    expect(ours.texts.slice(0, -1)).toEqual(STRINGS.slice(0, -1))
  })

  it("read lib0's records (readAny: keys and values) as lib0 does", () => {
    const record = { peer: 'kcGyp4-Q2z9slcdiho1iyszCL', attempt: 1, claimedAt: 1_764_633_600_000, nested: { k: 'é', list: ['a', '日本', ''] }, proof: 'p'.repeat(200) }
    const encoder = encoding.createEncoder()
    encoding.writeAny(encoder, record)
    const bytes = encoding.toUint8Array(encoder)
    expect(fastDecoding.readAny(decoding.createDecoder(bytes))).toEqual(record)
    const ours = fastEncoding.createEncoder()
    fastEncoding.writeAny(ours, record)
    expect(fastEncoding.toUint8Array(ours)).toEqual(bytes)
  })

  it('refuse what lib0 refuses, with the same error: a string past the end, bytes that are not UTF-8', () => {
    const truncated = [10, 97, 98, 99]
    const notUtf8 = [2, 0xc3, 0x28]
    const badAfterAscii = [3, 97, 98, 0xff]
    const lengthOverflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
    for (const bytes of [truncated, notUtf8, badAfterAscii, lengthOverflow, []]) {
      const read = (reader: (decoder: decoding.Decoder) => string) => outcome(() => reader(decoding.createDecoder(new Uint8Array(bytes))))
      const expected = read(decoding.readVarString)
      expect('error' in expected).toBe(true)
      expect([bytes, read(fastDecoding.readVarString)]).toEqual([bytes, expected])
    }
  })

  it('patch only lib0, and fail the build when lib0 no longer has the line they replace', () => {
    expect(patchLib0('/app/node_modules/yjs/dist/yjs.mjs', 'export const readVarString = 1')).toBeUndefined()
    expect(patchLib0('/app/src/decoding.js', readFileSync(join(lib0, 'decoding.js'), 'utf8'))).toBeUndefined()
    expect(() => patchLib0('/app/node_modules/lib0/decoding.js', 'export const readVarString = somethingElse')).toThrow(Lib0PatchError)
    const plugin = lib0AsciiStrings()
    const transform = plugin.transform as (code: string, id: string) => { code: string } | null
    expect(transform(readFileSync(join(lib0, 'encoding.js'), 'utf8'), join(lib0, 'encoding.js'))?.code).toContain('_writeVarStringAsciiFirst')
  })

  it('keep every other line of lib0 where it was', () => {
    for (const name of ['decoding', 'encoding']) {
      const source = readFileSync(join(lib0, `${name}.js`), 'utf8')
      expect(patchLib0(join(lib0, `${name}.js`), source)?.split('\n').length).toBe(source.split('\n').length)
    }
  })
})
