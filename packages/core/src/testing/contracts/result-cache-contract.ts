import { describe, expect, it } from 'vitest'
import { addressOf } from '../../address.ts'
import type { CacheEntry, ResultCache } from '../../cache/result-cache.ts'
import type { TaskKey } from '../../ids.ts'

export interface ResultCacheFixture {
  readonly cache: ResultCache
  teardown?(): Promise<void>
}

const key = (n: number): TaskKey => addressOf(['key', n]) as string as TaskKey
const value: CacheEntry = { kind: 'value', result: addressOf(42) }
const failure: CacheEntry = { kind: 'failure', error: { name: 'RangeError', message: 'negative' } }

export function runResultCacheContract(name: string, setup: () => Promise<ResultCacheFixture>): void {
  describe(`ResultCache contract: ${name}`, () => {
    it('stores and returns entries by task key', async () => {
      const { cache, teardown } = await setup()
      expect(await cache.get(key(1))).toBeUndefined()
      await cache.set(key(1), value)
      await cache.set(key(2), failure)
      expect(await cache.get(key(1))).toEqual(value)
      expect(await cache.get(key(2))).toEqual(failure)
      expect(await cache.size()).toBe(2)
      await teardown?.()
    })

    it('never replaces a value, not even with a failure', async () => {
      const { cache, teardown } = await setup()
      await cache.set(key(1), value)
      await cache.set(key(1), failure)
      await cache.set(key(1), { kind: 'value', result: addressOf(43) })
      expect(await cache.get(key(1))).toEqual(value)
      await teardown?.()
    })

    it('lets a value replace a failure', async () => {
      const { cache, teardown } = await setup()
      await cache.set(key(1), failure)
      await cache.set(key(1), value)
      expect(await cache.get(key(1))).toEqual(value)
      await teardown?.()
    })

    it('forgets a failure on request, and never a value', async () => {
      const { cache, teardown } = await setup()
      await cache.set(key(1), failure)
      await cache.set(key(2), value)
      expect(await cache.forgetFailure(key(1))).toBe(true)
      expect(await cache.get(key(1))).toBeUndefined()
      expect(await cache.forgetFailure(key(1))).toBe(false)
      expect(await cache.forgetFailure(key(2))).toBe(false)
      expect(await cache.get(key(2))).toEqual(value)
      await teardown?.()
    })
  })
}
