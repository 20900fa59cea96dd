import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addressOf, encodeCanonical, taskKeyOf, type Address } from '../src/index.ts'
import { taskKeyBytes } from '../src/task-key.ts'

describe('taskKeyOf', () => {
  it('hashes exactly the canonical CBOR of [tag, fn, args], for any strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ maxLength: 70_000 }), (fn, args) => {
        expect(Buffer.compare(taskKeyBytes(fn, args), encodeCanonical(['tessera/task@1', fn, args]))).toBe(0)
      }),
      { numRuns: 300 },
    )
  })

  it('keeps the addresses of real calls', () => {
    const fn = addressOf('function source') as Address
    const args = addressOf({ x: 3 }) as Address
    expect(taskKeyOf(fn, args)).toBe(addressOf(['tessera/task@1', fn, args]))
    expect(taskKeyOf(fn, args)).not.toBe(taskKeyOf(args, fn))
  })
})
