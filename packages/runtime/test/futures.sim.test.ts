import { describe, expect, it } from 'vitest'
import { DependencyFailedError, UnknownTaskRefError } from '@tessera/core'
import { TaskRef } from '@tessera/runtime'
import { SimSwarm } from './support/sim-swarm.ts'

const LAN = { minDelayMs: 2, maxDelayMs: 20, dropRate: 0, reorderRate: 0 }
const add = ({ a, b }: { a: number; b: number }) => a + b
const inc = ({ x }: { x: number }) => x + 1
const sum = ({ xs }: { xs: number[] }) => xs.reduce((s, x) => s + x, 0)
const fail = ({ why }: { why: string }) => {
  throw new RangeError(why)
}

function swarm(seed: number, donors = 2, taskDurationMs: readonly [number, number] = [20, 40]): SimSwarm {
  return new SimSwarm({ seed, donors, conditions: LAN, taskDurationMs })
}

describe('futures as arguments (issue 18)', () => {
  it('a diamond: B and C take A\'s result, D takes both; the submitter follows only D', async () => {
    const sim = swarm(1)
    const host = sim.host('submitter')
    await sim.wait(500)
    const f = host.pure(inc, { name: 'inc' })
    const g = host.pure(add, { name: 'add' })
    const a = await sim.settle(f.submit({ x: 1 }))
    expect(a).toBeInstanceOf(TaskRef)
    expect(String(a)).toMatch(/^tessera:task:submitter-job-0:0:baf/)
    expect(host.ref(String(a))).toEqual(a)
    const b = await sim.settle(f.submit({ x: a }))
    const c = await sim.settle(g.submit({ a: a, b: 10 }))
    // D names B and C inside an object and an array: any depth counts.
    const d = await sim.settle(host.pure(sum, { name: 'sum' }).remote({ xs: [b, c] }))
    // A = 2, B = 3, C = 12, D = 15.
    expect(d).toBe(15)
    expect(await sim.settle(host.result(String(c)))).toBe(12)
    await sim.close([host])
  })

  it('a chain of 1,000 runs link after link without a settle window or report flush per link', async () => {
    const sim = swarm(2, 1, [1, 1])
    const host = sim.host('submitter')
    await sim.wait(500)
    const f = host.pure(inc, { name: 'inc' })
    const graph = host.graph()
    let last = graph.add(f, { x: 0 })
    for (let i = 1; i < 1_000; i++) last = graph.add(f, { x: last })
    const started = sim.clock.now()
    const refs = await sim.settle(graph.submit())
    expect(refs).toHaveLength(1_000)
    expect(await sim.settle(host.result<number>(last), 600_000)).toBe(1_000)
    const virtualMs = sim.clock.now() - started
    console.log(`[figure] chain of 1,000 tasks of 1 ms on 1 donor: ${virtualMs} ms virtual, ${(virtualMs / 1_000).toFixed(1)} ms a link (the claim settle window alone is 150 ms)`)
    // Each link costs its run and a little bookkeeping, far under the 150 ms settle window.
    expect(virtualMs / 1_000).toBeLessThan(20)
    await sim.close([host])
  }, 60_000)

  it('graph.add takes a wrapper that copies a function\'s properties (as `tessera run` wraps them), and resultRefs gives addresses', async () => {
    const sim = swarm(7)
    const host = sim.host('submitter')
    await sim.wait(500)
    const f = host.pure(inc, { name: 'inc' })
    const wrapped = Object.assign((args: { x: number }) => f(args), f)
    const graph = host.graph()
    const one = graph.add(wrapped, { x: 1 })
    const two = graph.add(wrapped, { x: one })
    await sim.settle(graph.submit())
    const [address] = await sim.settle(host.resultRefs([two]))
    expect(Object.keys(address ?? {})).toEqual(['/'])
    expect(await sim.settle(host.result(two))).toBe(3)
    // A copy of the definition is not the one this swarm bound.
    const forged = Object.assign((args: { x: number }) => f(args), f, { definition: { ...f.definition } })
    expect(() => host.graph().add(forged, { x: 1 })).toThrow(TypeError)
    await sim.close([host])
  })

  it('a failed dependency fails its dependents, and theirs, with DependencyFailedError naming it', async () => {
    const sim = swarm(3)
    const host = sim.host('submitter')
    await sim.wait(500)
    const broken = await sim.settle(host.pure(fail, { name: 'fail' }).submit({ why: 'no input' }))
    const f = host.pure(inc, { name: 'inc' })
    const child = await sim.settle(f.submit({ x: broken }))
    const grandchild = f.remote({ x: child })
    const error = await sim.settle(grandchild).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DependencyFailedError)
    expect((error as Error).message).toContain(child.key)
    const direct = await sim.settle(host.result(child)).catch((e: unknown) => e)
    expect(direct).toBeInstanceOf(DependencyFailedError)
    expect((direct as Error).message).toContain(broken.key)
    expect((direct as Error).message).toContain('RangeError: no input')
    await sim.close([host])
  })

  it('a dependency that times out for good (no cached outcome) fails its dependent too', async () => {
    const sim = swarm(7)
    const host = sim.host('submitter')
    await sim.wait(500)
    // Every run takes 20 to 40 ms of virtual time, over this function's 5 ms timeout.
    const slow = host.pure(inc, { name: 'slow', timeoutMs: 5, maxAttempts: 1 })
    const late = await sim.settle(slow.submit({ x: 1 }))
    const error = await sim.settle(host.pure(inc, { name: 'inc' }).remote({ x: late }), 60_000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DependencyFailedError)
    expect((error as Error).message).toContain('TaskTimeoutError')
    await sim.close([host])
  })

  it('a dependency whose job is stopped before it has a result fails its dependent instead of leaving it waiting', async () => {
    const sim = swarm(8, 2, [2_000, 2_000])
    const host = sim.host('submitter')
    await sim.wait(500)
    const doomed = await sim.settle(host.pure(inc, { name: 'doomed' }).submit({ x: 1 }))
    const dependent = host.pure(inc, { name: 'inc' }).remote({ x: doomed })
    await sim.wait(300)
    expect(await sim.settle(host.stopJob(doomed.job as string))).toBe(true)
    const error = await sim.settle(dependent, 30_000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DependencyFailedError)
    expect((error as Error).message).toContain('CancelledError')
    await sim.close([host])
  })

  it('a ref to no known call is refused at the call', async () => {
    const sim = swarm(4, 1)
    const host = sim.host('submitter')
    await sim.wait(300)
    const made = host.ref(`tessera:task:-:-:${(await sim.settle(host.pure(inc, { name: 'inc' }).submit({ x: 1 }))).key.replace(/.$/, (ch) => (ch === 'a' ? 'e' : 'a'))}`)
    await expect(host.pure(inc, { name: 'inc' }).submit({ x: made })).rejects.toBeInstanceOf(UnknownTaskRefError)
    await sim.close([host])
  })

  it('a submitter leaves after submitting a graph; another peer reads the result later', async () => {
    const sim = swarm(5)
    const submitter = sim.host('submitter')
    await sim.wait(500)
    const f = submitter.pure(inc, { name: 'inc' })
    const g = submitter.pure(add, { name: 'add' })
    const graph = submitter.graph()
    const a = graph.add(f, { x: 1 })
    const b = graph.add(f, { x: a })
    const c = graph.add(f, { x: b })
    const d = graph.add(g, { a: b, b: c })
    const refs = await sim.settle(graph.submit())
    const printed = String(refs[3])
    // Long enough for the donors to hold the jobs' documents, not to run them.
    await sim.wait(100)
    await submitter.close()
    const reader = sim.host('reader')
    expect(await sim.settle(reader.result(printed), 60_000)).toBe(3 + 4)
    expect(String(d)).toContain(refs[3]!.key)
    await sim.close([reader])
  })

  it('a ref from one job in another job\'s call, across two hosts', async () => {
    const sim = swarm(6)
    const first = sim.host('first')
    const second = sim.host('second')
    await sim.wait(500)
    const ref = await sim.settle(first.pure(inc, { name: 'inc' }).submit({ x: 41 }))
    await sim.wait(100)
    const value = await sim.settle(second.pure(add, { name: 'add' }).remote({ a: second.ref(String(ref)), b: 100 }))
    expect(value).toBe(142)
    // In a batch too: each call of a parallel names the same ref.
    expect(await sim.settle(second.pure(add, { name: 'add' }).parallel([1, 2, 3].map((b) => ({ a: ref, b }))))).toEqual([43, 44, 45])
    await sim.close([first, second])
  })
})
