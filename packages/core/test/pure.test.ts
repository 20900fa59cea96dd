import { describe, expect, it } from 'vitest'
import { assertKeywordCall, compilePure, definePure, functionAddress, NotSelfContainedError } from '@tessera/core'

describe('definePure', () => {
  it('addresses a function by its normalized source and name', () => {
    const a = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
    const b = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
    const renamed = definePure(({ x }: { x: number }) => x * x, { name: 'sq' })
    const changed = definePure(({ x }: { x: number }) => x * x + 1, { name: 'square' })
    expect(a.address).toBe(b.address)
    expect(a.address).toBe(functionAddress('square', a.source))
    expect(renamed.address).not.toBe(a.address)
    expect(changed.address).not.toBe(a.address)
  })

  it('ignores indentation, trailing spaces and line endings', () => {
    const indented = new Function(`return function f({ x }) {\n        return x + 1   \n      }`)() as (a: { x: number }) => number
    const flat = new Function(`return function f({ x }) {\r\n  return x + 1\r\n}`)() as (a: { x: number }) => number
    expect(definePure(indented).address).toBe(definePure(flat).address)
  })

  it('takes the function name by default, and accepts method shorthand and async functions', () => {
    const holder = {
      double({ x }: { x: number }) {
        return 2 * x
      },
      async later({ x }: { x: number }) {
        return x
      },
    }
    expect(definePure(holder.double).name).toBe('double')
    expect(compilePure(definePure(holder.double))({ x: 4 })).toBe(8)
    expect(definePure(holder.later).source.startsWith('async function')).toBe(true)
  })

  it('refuses a function that reads outer variables, naming them', () => {
    const offset = 10
    const scale = 2
    let caught: unknown
    try {
      definePure(({ x }: { x: number }) => x * scale + offset, { name: 'leaky' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(NotSelfContainedError)
    expect(caught).toMatchObject({ name: 'NotSelfContainedError', freeVariables: ['offset', 'scale'] })
  })

  it('knows what the language binds inside functions: arguments, this, new.target, super', () => {
    const source = `({ n }) => {
      function count() { return arguments.length }
      function Made() { this.kind = new.target === undefined ? 'called' : 'made' }
      class Base { size() { return 1 } }
      class Child extends Base { size() { return super.size() + count(1, 2) } }
      const viaMethod = { total() { return arguments[0] + n } }
      return [count(1, 2, 3), new Made().kind, new Child().size(), viaMethod.total(4)]
    }`
    const fn = new Function(`return (${source})`)() as (args: { n: number }) => unknown
    const pure = definePure(fn, { name: 'bindings' })
    expect(compilePure(pure)({ n: 1 })).toEqual([3, 'made', 3, 5])
  })

  it('still refuses `arguments` that a top-level arrow function reads from around it, with line, column and function', () => {
    const fn = new Function('return ({ n }) => {\n  const inner = () => arguments.length + n\n  return inner()\n}')() as (args: { n: number }) => unknown
    let caught: unknown
    try {
      definePure(fn, { name: 'outerArguments' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(NotSelfContainedError)
    expect(caught).toMatchObject({ freeVariables: ['arguments'], reads: [{ name: 'arguments', at: 'line 2, column 23 of its source', enclosing: 'inner' }] })
    expect(String(caught)).toContain('"arguments" (in inner, line 2, column 23 of its source)')
  })

  it('refuses host globals that make a function impure, but allows the language built-ins', () => {
    expect(() => definePure(() => fetch('http://127.0.0.1/'), { name: 'net' })).toThrowError(NotSelfContainedError)
    expect(() => definePure(() => globalThis, { name: 'g' })).toThrowError(NotSelfContainedError)
    const ok = definePure(({ xs }: { xs: number[] }) => Math.max(...xs.map(Number)) + JSON.stringify(new Map()).length, {
      name: 'builtins',
    })
    expect(compilePure(ok)({ xs: [1, 5, 2] })).toBe(7)
  })

  it('allows locals, parameters, inner functions and named class expressions', () => {
    const fn = definePure(
      ({ n }: { n: number }) => {
        const memo = new Map<number, number>()
        function fib(k: number): number {
          if (k < 2) return k
          const hit = memo.get(k)
          if (hit !== undefined) return hit
          const v = fib(k - 1) + fib(k - 2)
          memo.set(k, v)
          return v
        }
        const Pair = class Pair {
          constructor(readonly a: number) {}
        }
        return new Pair(fib(n)).a
      },
      { name: 'fib' },
    )
    expect(compilePure(fn)({ n: 30 })).toBe(832040)
  })

  it('refuses positional parameters, rest parameters and generators', () => {
    expect(() => definePure(((a: number, b: number) => a + b) as never, { name: 'add' })).toThrowError(TypeError)
    expect(() => definePure(((...xs: number[]) => xs.length) as never, { name: 'rest' })).toThrowError(TypeError)
    expect(() =>
      definePure(
        function* gen() {
          yield 1
        } as never,
        { name: 'gen' },
      ),
    ).toThrowError(TypeError)
  })

  it('refuses native and bound functions, which have no source', () => {
    expect(() => definePure(Math.max as never)).toThrowError(NotSelfContainedError)
    expect(() => definePure(((a: { x: number }) => a.x).bind(null), { name: 'bound' })).toThrowError(NotSelfContainedError)
  })
})

describe('keyword-only calls', () => {
  it('accepts exactly one plain object', () => {
    expect(() => assertKeywordCall('f', [{ x: 1 }])).not.toThrow()
    expect(() => assertKeywordCall('f', [Object.create(null)])).not.toThrow()
  })

  it.each([
    ['positional arguments', [1, 2]],
    ['no arguments', []],
    ['a number', [3]],
    ['null', [null]],
    ['an array', [[1]]],
    ['a class instance', [new Date()]],
    ['two objects', [{ x: 1 }, { y: 2 }]],
  ])('throws TypeError for %s', (_label, callArgs) => {
    expect(() => assertKeywordCall('square', callArgs)).toThrowError(TypeError)
    expect(() => assertKeywordCall('square', callArgs)).toThrowError(/square\(\{ x: 1 \}\)/)
  })
})
