import { definePure, functionAddress, type PureFunctionSource } from '../pure/define-pure.ts'

/**
 * The functions the executor contract runs, in a module without Vitest, so a
 * browser page can run the same cases against a Web Worker pool.
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
