import { describe, expect, it } from 'vitest'
import type { Value } from '@tessera/core'
import { SimArena } from './support/trust/arena.ts'

const scale = ({ x }: { x: number }): number => x * 0.1
/** A donor whose engine rounds differently: every value off in the last bits. */
const lastBits = (value: Value): Value => (typeof value === 'number' ? value * (1 + 1e-14) + 1e-15 : value)
const close = (a: Value, b: Value): boolean => typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a))
const log = (line: string): void => console.log(`[compare] ${line}`)

async function run(seed: number, options: { readonly quorum?: number; readonly adaptive?: boolean; readonly compare?: typeof close }, tasks: number) {
  const arena = new SimArena({ seed, donors: 1 })
  try {
    await arena.liar('other-engine', lastBits)
    const host = await arena.host('host')
    const fn = host.pure(scale, { name: 'scale', ...options })
    const results: Array<{ x: number; value: unknown }> = []
    const controller = new AbortController()
    const streaming = (async () => {
      for await (const s of fn.stream(Array.from({ length: tasks }, (_, x) => ({ x })), { settle: true, signal: controller.signal })) {
        if (s.status === 'fulfilled') results.push({ x: s.args.x, value: s.value })
      }
    })().catch(() => {})
    await arena.until(() => results.length === tasks, 30_000)
    controller.abort()
    await arena.settle(streaming, 30_000)
    return { settled: results.length, withinTolerance: results.filter(({ x, value }) => close(value as number, x * 0.1)).length }
  } finally {
    await arena.close()
  }
}

describe('compare: results that agree within a tolerance (simulator, the public API)', () => {
  it('accepts results two engines round differently once the caller\'s compare finds them equal; without it they never agree', async () => {
    const tasks = 40
    const compared = await run(21, { quorum: 2, compare: close }, tasks)
    const exact = await run(21, { quorum: 2 }, tasks)
    const adaptive = await run(22, { adaptive: true, compare: close }, tasks)
    log(`${tasks} calls, 2 donors whose values differ in the last bits, quorum 2: ${compared.settled} settled with compare, ${exact.settled} without; adaptive with compare: ${adaptive.settled}`)
    expect(compared).toEqual({ settled: tasks, withinTolerance: tasks })
    expect(adaptive).toEqual({ settled: tasks, withinTolerance: tasks })
    // Without it no two reports agree exactly, and no third subject is there to break the tie.
    expect(exact.settled).toBe(0)
  }, 120_000)
})
