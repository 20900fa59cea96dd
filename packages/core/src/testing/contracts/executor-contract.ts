import { describe, expect, it } from 'vitest'
import type { Executor } from '../../interfaces/executor.ts'
import { busyLoop, classInstance, double as typedArrays, fails, neverSettles, readsOuterVariable, square } from '../executor-functions.ts'
import type { PureFunctionSource } from '../../pure/define-pure.ts'

export interface ExecutorFixture {
  readonly executor: Executor
  /** Lets time pass for executors that run on a virtual clock; runs `work` to completion. */
  run<T>(work: Promise<T>): Promise<T>
  /** False for executors that cannot interrupt a synchronous endless loop on their own thread. */
  readonly stopsBusyLoops: boolean
  teardown?(): Promise<void>
}

export function runExecutorContract(name: string, setup: () => Promise<ExecutorFixture>): void {
  describe(`Executor contract: ${name}`, () => {
    it('runs a function on keyword arguments', async () => {
      const { executor, run, teardown } = await setup()
      const result = await run(executor.run(square, { x: 7 }, { timeoutMs: 5_000 }))
      expect(result).toMatchObject({ kind: 'value', value: 49 })
      await teardown?.()
    })

    it('reports a thrown error with its name, message and stack, and keeps working', async () => {
      const { executor, run, teardown } = await setup()
      const result = await run(executor.run(fails, { why: 'out of range' }, { timeoutMs: 5_000 }))
      expect(result.kind).toBe('thrown')
      if (result.kind !== 'thrown') return
      expect(result.error).toMatchObject({ name: 'RangeError', message: 'out of range' })
      expect(typeof result.error.stack).toBe('string')
      expect(await run(executor.run(square, { x: 3 }, { timeoutMs: 5_000 }))).toMatchObject({ kind: 'value', value: 9 })
      await teardown?.()
    })

    it('gives a TaskTimeoutError past the time limit, and keeps working', async () => {
      const { executor, run, teardown } = await setup()
      const result = await run(executor.run(neverSettles, {}, { timeoutMs: 50 }))
      expect(result).toMatchObject({ kind: 'timeout', error: { name: 'TaskTimeoutError' } })
      expect(await run(executor.run(square, { x: 4 }, { timeoutMs: 5_000 }))).toMatchObject({ kind: 'value', value: 16 })
      await teardown?.()
    })

    it('stops a synchronous endless loop at the time limit', async () => {
      const { executor, run, stopsBusyLoops, teardown } = await setup()
      if (!stopsBusyLoops) return
      const result = await run(executor.run(busyLoop, {}, { timeoutMs: 200 }))
      expect(result).toMatchObject({ kind: 'timeout', error: { name: 'TaskTimeoutError' } })
      expect(await run(executor.run(square, { x: 5 }, { timeoutMs: 5_000 }))).toMatchObject({ kind: 'value', value: 25 })
      await teardown?.()
    })

    it('passes typed arrays in and out', async () => {
      const { executor, run, teardown } = await setup()
      const result = await run(executor.run(typedArrays, { v: new Float64Array([1.5, -2]) }, { timeoutMs: 5_000 }))
      expect(result.kind).toBe('value')
      if (result.kind === 'value') expect(result.value).toEqual(new Float64Array([3, -4]))
      await teardown?.()
    })

    it('reports a result that cannot be encoded as an EncodingError', async () => {
      const { executor, run, teardown } = await setup()
      const result = await run(executor.run(classInstance, {}, { timeoutMs: 5_000 }))
      expect(result).toMatchObject({ kind: 'thrown', error: { name: 'EncodingError' } })
      await teardown?.()
    })

    it('reports a function that reads outer variables as NotSelfContainedError when it runs', async () => {
      const { executor, run, teardown } = await setup()
      const result = await run(executor.run(readsOuterVariable(), { x: 1 }, { timeoutMs: 5_000 }))
      expect(result).toMatchObject({ kind: 'thrown', error: { name: 'NotSelfContainedError' } })
      expect(result.kind === 'thrown' && result.error.message).toContain('someOuterVariable')
      await teardown?.()
    })

    it('refuses source that does not match its address', async () => {
      const { executor, run, teardown } = await setup()
      const forged: PureFunctionSource = { ...square, source: '({ x }) => x + 1' }
      await expect(run(executor.run(forged, { x: 2 }, { timeoutMs: 5_000 }))).rejects.toMatchObject({ name: 'AddressError' })
      await teardown?.()
    })
  })
}
