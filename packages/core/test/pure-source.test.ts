import { describe, expect, it } from 'vitest'
import { definePure, definePureSource, NotSelfContainedError } from '@tessera/core'

describe('definePureSource (functions sent as text, as the HTTP job API receives them)', () => {
  it('gives the address definePure gives the same function, without evaluating the text', () => {
    const fromFunction = definePure(({ x }: { x: number }) => x * 2, { name: 'double' })
    const fromText = definePureSource('double', '({ x }) => x * 2')
    expect(fromText.address).toBe(fromFunction.address)
    expect(fromText.source).toBe(fromFunction.source)
    expect(() => fromText.fn({})).toThrow(/runs on donors, not here/)
  })

  it('refuses text that is not exactly one function, reads outer names, or is not keyword-only', () => {
    let ran = false
    ;(globalThis as { markRan?: () => void }).markRan = () => (ran = true)
    expect(() => definePureSource('bad', '(markRan(), ({ x }) => x)')).toThrow(/does not parse as a function/)
    expect(() => definePureSource('bad', '({ x }) => x; markRan()')).toThrow(/does not parse as a function/)
    expect(ran).toBe(false)
    expect(() => definePureSource('free', '({ x }) => x + offset')).toThrow(NotSelfContainedError)
    expect(() => definePureSource('two', '(a, b) => a')).toThrow(/keyword-only/)
    expect(() => definePureSource('gen', 'function* g({ x }) { yield x }')).toThrow(/generator/)
  })
})
