import { describe, expect, it } from 'vitest'
import {
  definePure,
  MemoizedRunner,
  MemoryBlobStore,
  MemoryExecutor,
  MemoryResultCache,
  TaskError,
  type Execution,
  type Executor,
} from '@tessera/core'

/** The real executor, counting the runs that actually happen. */
function countingExecutor(): Executor & { runs: number } {
  const inner = new MemoryExecutor()
  const counter = {
    runs: 0,
    run: (...args: Parameters<Executor['run']>): Promise<Execution> => {
      counter.runs++
      return inner.run(...args)
    },
    close: () => inner.close(),
  }
  return counter
}

function setup(): { runner: MemoizedRunner; executor: Executor & { runs: number }; cache: MemoryResultCache } {
  const executor = countingExecutor()
  const cache = new MemoryResultCache()
  return { runner: new MemoizedRunner({ cache, blobs: new MemoryBlobStore(), executor }), executor, cache }
}

const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
const sqrt = definePure(
  ({ x }: { x: number }) => {
    if (x < 0) throw new RangeError(`no real square root of ${x}`)
    return Math.sqrt(x)
  },
  { name: 'sqrt' },
)

describe('MemoizedRunner', () => {
  it('computes once, then answers from the cache', async () => {
    const { runner, executor } = setup()
    expect(await runner.call(square, { x: 12 })).toBe(144)
    expect(await runner.call(square, { x: 12 })).toBe(144)
    expect(await runner.call(square, { x: 13 })).toBe(169)
    expect(executor.runs).toBe(2)
  })

  it('keys calls by value, not by the order keys were written in', async () => {
    const { runner, executor } = setup()
    const f = definePure(({ a, b }: { a: number; b: number }) => a - b, { name: 'sub' })
    expect(await runner.call(f, { a: 5, b: 3 })).toBe(2)
    expect(await runner.call(f, { b: 3, a: 5 })).toBe(2)
    expect(executor.runs).toBe(1)
  })

  it('caches a thrown error: every caller gets it again, with its name', async () => {
    const { runner, executor } = setup()
    const first = await runner.call(sqrt, { x: -4 }).catch((e: unknown) => e)
    const second = await runner.call(sqrt, { x: -4 }).catch((e: unknown) => e)
    for (const error of [first, second]) {
      expect(error).toBeInstanceOf(TaskError)
      expect(error).toMatchObject({ name: 'RangeError', message: 'no real square root of -4' })
    }
    expect(executor.runs).toBe(1)
  })

  it('runs again once a cached failure is forgotten', async () => {
    const { runner, executor, cache } = setup()
    await runner.call(sqrt, { x: -1 }).catch(() => undefined)
    const key = runner.keyOf(sqrt, { x: -1 })
    expect((await cache.get(key))?.kind).toBe('failure')
    expect(await runner.forgetFailure(key)).toBe(true)
    expect(await cache.get(key)).toBeUndefined()
    await runner.call(sqrt, { x: -1 }).catch(() => undefined)
    expect(executor.runs).toBe(2)
  })

  it('throws TypeError at the call site for positional or non-object arguments, before anything runs', () => {
    const { runner, executor } = setup()
    const call = runner.call.bind(runner) as (...args: unknown[]) => Promise<unknown>
    expect(() => call(square, 3)).toThrowError(TypeError)
    expect(() => call(square, { x: 1 }, { y: 2 })).toThrowError(TypeError)
    expect(() => call(square, [1])).toThrowError(TypeError)
    expect(executor.runs).toBe(0)
  })

  it('refuses arguments that cannot be encoded, naming the path', () => {
    const { runner } = setup()
    const f = definePure(({ model }: { model: unknown }) => String(model), { name: 'fit' })
    expect(() => runner.call(f, { model: { fit: () => 1 } })).toThrowError(/args\.model\.fit/)
  })
})
