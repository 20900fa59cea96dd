import { definePure, functionAddress, type PureFunctionSource } from '../pure/define-pure.ts'

/**
 * The functions the executor checks (./contracts/executor-checks.ts) run, and
 * that executor tests and pages use besides.
 */
export const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
export const fails = definePure(
  ({ why }: { why: string }) => {
    throw new RangeError(why)
  },
  { name: 'fails' },
)
export const neverSettles = definePure(() => new Promise(() => {}), { name: 'neverSettles' })
export const busyLoop = definePure(
  () => {
    for (;;) {
      // never returns
    }
  },
  { name: 'busyLoop' },
)
export const double = definePure(({ v }: { v: Float64Array }) => v.map((x) => x * 2), { name: 'double' })
export const classInstance = definePure(() => new (class Point {})(), { name: 'classInstance' })

/** A function built at run time, so it escapes the definition-time check: only its run can catch it. */
export function readsOuterVariable(): PureFunctionSource {
  const source = '({ x }) => x + someOuterVariable'
  return { name: 'leaky', source, address: functionAddress('leaky', source) }
}

/** Busy-waits `ms` on its thread, and says when it started and ended, to show which runs overlapped. */
export const spin = definePure(
  ({ ms }: { ms: number }) => {
    const start = Date.now()
    while (Date.now() - start < ms) {
      // keeps this worker busy
    }
    return [start, Date.now()]
  },
  { name: 'spin' },
)

/** Prints on every stream, then `lines` more (a lot more than one task may keep, say); throws after printing when `lines` is 0. */
export const chatty = definePure(
  ({ lines }: { lines: number }) => {
    console.log('counting', lines, { lines })
    console.warn('a warning')
    console.error(new RangeError('an error'))
    if (lines === 0) throw new RangeError('nothing to count')
    for (let i = 0; i < lines; i++) console.log(`line ${i}`)
    return lines
  },
  { name: 'chatty' },
)
