import { describe, expect, it } from 'vitest'
import {
  decodeCanonical,
  encodeCanonical,
  fromErrorRecord,
  LeaseExpiredError,
  NotSelfContainedError,
  QuorumError,
  TaskError,
  TaskTimeoutError,
  TesseraError,
  toErrorRecord,
  type ErrorRecord,
} from '@tessera/core'

/** What crossing a worker or the network does to an error: a record, encoded and decoded. */
const acrossTheWire = (error: unknown): Error => fromErrorRecord(decodeCanonical(encodeCanonical(toErrorRecord(error))) as unknown as ErrorRecord)

describe('errors across boundaries', () => {
  it('come back as our own classes, with name and message', () => {
    for (const error of [new TaskTimeoutError('too slow'), new LeaseExpiredError('gone'), new QuorumError('no agreement')]) {
      const back = acrossTheWire(error)
      expect(back).toBeInstanceOf(error.constructor)
      expect(back).toBeInstanceOf(TesseraError)
      expect(back).toMatchObject({ name: error.name, message: error.message })
    }
    expect(acrossTheWire(new NotSelfContainedError('f', ['x']))).toMatchObject({ name: 'NotSelfContainedError' })
  })

  it("keep a task's own error name, message and stack", () => {
    class InsufficientFunds extends Error {
      override name = 'InsufficientFunds'
    }
    const original = new InsufficientFunds('balance 3, needed 5')
    const back = acrossTheWire(original)
    expect(back).toBeInstanceOf(TaskError)
    expect(back).toMatchObject({ name: 'InsufficientFunds', message: 'balance 3, needed 5', remoteStack: original.stack })
  })

  it('describe a thrown non-Error value', () => {
    expect(toErrorRecord('just a string')).toEqual({ name: 'Error', message: 'non-Error value thrown: "just a string"' })
    expect(toErrorRecord(42).message).toContain('42')
  })
})
