// What the HTTP job API accepts and how it writes results, without a server.
import { describe, expect, it } from 'vitest'
import { jsonText } from '../src/serve/http-api/json-value.ts'
import { parseSubmission } from '../src/serve/http-api/submission.ts'

const valid = { room: 'lab', name: 'py:f', source: '({ x }) => x', args: [{ x: 1 }] }

describe('parseSubmission', () => {
  it('accepts a submission and its options', () => {
    expect(parseSubmission({ ...valid, options: { timeoutMs: 5000, quorum: 2, adaptive: true } })).toEqual({ ...valid, options: { timeoutMs: 5000, quorum: 2, adaptive: true } })
    const calls = { noWorkersMs: 30_000, retryFailed: true }
    expect(parseSubmission({ ...valid, options: calls })).toEqual({ ...valid, options: calls })
  })

  it('refuses prototype tricks, control characters and ill-typed fields with ApiInputError', () => {
    const refusals: unknown[] = [
      JSON.parse(`{"room":"lab","name":"f","source":"x => x","args":[{}],"__proto__":{"admin":true}}`),
      { ...valid, room: 'lab\nevil' },
      { ...valid, room: 'r'.repeat(129) },
      { ...valid, name: 7 },
      { ...valid, source: ['x'] },
      { ...valid, args: { 0: { x: 1 }, length: 1 } },
      { ...valid, args: [null] },
      { ...valid, args: [[1]] },
      { ...valid, options: [] },
      { ...valid, options: JSON.parse('{"__proto__":{"quorum":1}}') },
      { ...valid, options: { quorum: 1.5 } },
      { ...valid, options: { adaptive: 'yes' } },
      { ...valid, options: { noWorkersMs: 0 } },
      { ...valid, options: { noWorkersMs: '10s' } },
      { ...valid, options: { retryFailed: 1 } },
      null,
    ]
    for (const body of refusals) expect(() => parseSubmission(body), JSON.stringify(body)).toThrow(expect.objectContaining({ name: 'ApiInputError', status: 400 }))
  })
})

describe('jsonText', () => {
  it('writes Tessera values as the nearest JSON', () => {
    const value = { bytes: new Uint8Array([1, 2]), floats: new Float64Array([0.5]), big: 10n, map: new Map([[1, 'a']]), set: new Set([3]), inf: Infinity, nothing: undefined }
    expect(JSON.parse(jsonText(value))).toEqual({ bytes: [1, 2], floats: [0.5], big: '10', map: { 1: 'a' }, set: [3], inf: 'Infinity' })
    expect(jsonText(undefined)).toBe('null')
  })
})
