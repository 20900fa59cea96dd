import { describe, expectTypeOf, it } from 'vitest'
import type { Settled, Swarm, TaskRef } from '@tessera/runtime'

// Type-level tests: `npm test` typechecks this file, and every `@ts-expect-error`
// below must be an error, or the typecheck fails. Nothing here needs to run.
function typeChecks(swarm: Swarm): void {
  const square = swarm.pure(({ x }: { x: number }) => x * x, { name: 'square' })
  expectTypeOf(square({ x: 3 })).toEqualTypeOf<Promise<number>>()
  expectTypeOf(square.remote({ x: 3 })).toEqualTypeOf<Promise<number>>()
  expectTypeOf(square.parallel([{ x: 1 }, { x: 2 }])).toEqualTypeOf<Promise<number[]>>()
  expectTypeOf(square.parallel([{ x: 1 }], { settle: true })).toEqualTypeOf<Promise<Array<Settled<{ x: number }, number>>>>()
  expectTypeOf(square.submit({ x: 5 })).toEqualTypeOf<Promise<TaskRef>>()
  // A ref stands for a value at any depth of the arguments (a future).
  const ref = {} as TaskRef
  expectTypeOf(square.remote({ x: ref })).toEqualTypeOf<Promise<number>>()
  expectTypeOf(swarm.graph().add(square, { x: ref })).toEqualTypeOf<TaskRef>()
  // @ts-expect-error: a ref stands for a value, not for the whole arguments
  void square.remote(ref)

  // @ts-expect-error: keyword arguments only
  void square(3)
  // @ts-expect-error: x is a number
  void square({ x: 'three' })
  // @ts-expect-error: a missing argument
  void square.parallel([{}])

  const joined = swarm.pure(async ({ parts, sep }: { parts: string[]; sep: string }) => parts.join(sep), { name: 'join' })
  // An async function's promise is unwrapped.
  expectTypeOf(joined({ parts: ['a'], sep: ',' })).toEqualTypeOf<Promise<string>>()
  void (async () => {
    for await (const r of joined.stream([{ parts: ['a', 'b'], sep: '-' }])) {
      expectTypeOf(r.value).toEqualTypeOf<string>()
      expectTypeOf(r.index).toEqualTypeOf<number>()
      expectTypeOf(r.args).toEqualTypeOf<{ parts: string[]; sep: string }>()
    }
  })
}

describe('the API types', () => {
  it('are checked by the typecheck (this test only proves the file loads)', () => {
    expectTypeOf(typeChecks).toBeFunction()
  })
})
