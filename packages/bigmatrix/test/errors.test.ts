import { describe, expect, it } from 'vitest'
import { decodeCanonical, encodeCanonical, fromErrorRecord, TesseraError, toErrorRecord, type ErrorRecord } from '@tessera/core'
import { BlockIndexError, DtypeMismatchError, ShapeMismatchError } from '@tessera/bigmatrix'

const acrossTheWire = (error: unknown): Error => fromErrorRecord(decodeCanonical(encodeCanonical(toErrorRecord(error))) as unknown as ErrorRecord)

describe("bigmatrix's errors across boundaries", () => {
  it('come back as their own classes once @tessera/bigmatrix is imported', () => {
    for (const error of [new BlockIndexError('(3, 0) outside 3×3'), new ShapeMismatchError('2×3 by 2×3'), new DtypeMismatchError('float32 by float64')]) {
      const back = acrossTheWire(error)
      expect(back).toBeInstanceOf(error.constructor)
      expect(back).toBeInstanceOf(TesseraError)
      expect(back).toMatchObject({ name: error.name, message: error.message, stack: error.stack })
    }
  })

  it('come back as themselves when a block task throws a plain Error by that name', () => {
    // Task code travels as source and cannot import the class: it names the error instead.
    const thrown = Object.assign(new Error('block product 0: A block has 3 elements'), { name: 'ShapeMismatchError' })
    expect(acrossTheWire(thrown)).toBeInstanceOf(ShapeMismatchError)
  })
})
