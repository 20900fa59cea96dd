import { describe, expect, it } from 'vitest'
import {
  decodeCanonical,
  encodeCanonical,
  fromErrorRecord,
  LeaseExpiredError,
  NotSelfContainedError,
  QuorumError,
  registerErrors,
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

  it('come back as the class a package registered, with name, message and stack', () => {
    class LedgerError extends TesseraError {
      override name = 'LedgerError'
    }
    const original = new LedgerError('the books do not balance')
    expect(acrossTheWire(original)).toBeInstanceOf(TaskError)
    registerErrors(LedgerError)
    const back = acrossTheWire(original)
    expect(back).toBeInstanceOf(LedgerError)
    expect(back).toMatchObject({ name: 'LedgerError', message: 'the books do not balance', stack: original.stack })
  })

  it('keep their name where the class that defines it was never registered', () => {
    // As a package this process never imported would name its error. (Not a real
    // package's error: the unit files share their worker's modules, so another
    // file may have registered those.)
    const back = fromErrorRecord({ name: 'UnimportedPackageError', message: '2×3 by 2×3' })
    expect(back).toBeInstanceOf(TaskError)
    expect(back).toBeInstanceOf(TesseraError)
    expect(back).toMatchObject({ name: 'UnimportedPackageError', message: '2×3 by 2×3' })
    expect(toErrorRecord(back)).toMatchObject({ name: 'UnimportedPackageError', message: '2×3 by 2×3' })
  })

  it('are registered once per name: the same class again is fine, another class is refused', () => {
    class ClockSkewError extends TesseraError {
      override name = 'ClockSkewError'
    }
    registerErrors(ClockSkewError)
    registerErrors(ClockSkewError)
    class Impostor extends TesseraError {
      override name = 'ClockSkewError'
    }
    expect(() => registerErrors(Impostor)).toThrow(/already registered as "ClockSkewError"/)
    expect(() => registerErrors(TaskTimeoutError)).not.toThrow()
    expect(() => registerErrors(class extends Error {})).toThrow(/"Error" is not a name/)
    expect(acrossTheWire(new ClockSkewError('ahead by 3 s'))).toBeInstanceOf(ClockSkewError)
  })
})
