import { describe, expect, it } from 'vitest'
import { DependencyFailedError } from '@tessera/core'
import { CountingExecutor, useSwarms, waitFor } from './support/test-swarm.ts'

const start = useSwarms()

describe('futures as arguments over a real mesh (Node peers, WebRTC over loopback)', () => {
  it('a diamond published by a host that leaves once the donors hold its jobs; a reader gets the result; then a chain of 100 in real time', async () => {
    const swarms = await start()
    const executors = [new CountingExecutor(), new CountingExecutor()]
    await swarms.connect({ workers: 2, executor: executors[0] })
    await swarms.connect({ workers: 2, executor: executors[1] })
    const submitter = await swarms.connect({ workers: 0 })
    await waitFor(() => submitter.peer.mesh.openPeers().length === 2)
    const inc = submitter.pure(({ x }: { x: number }) => x + 1, { name: 'inc' })
    const mul = submitter.pure(({ a, b }: { a: number; b: number }) => a * b, { name: 'mul' })
    const graph = submitter.graph()
    const a = graph.add(inc, { x: 1 })
    const b = graph.add(inc, { x: a })
    const c = graph.add(mul, { a, b: 10 })
    graph.add(mul, { a: b, b: c })
    const refs = await graph.submit()
    const printed = String(refs[3])
    expect(printed).toMatch(/^tessera:task:[^:]+:\d+:baf/)
    // The donors must hold both jobs' documents (inc: A, B; mul: C, D) before the only other copy
    // leaves: a third run is a mul task. The rest runs after the submitter left.
    await waitFor(() => executors.reduce((n, e) => n + e.runs, 0) >= 3)
    await submitter.close()
    const reader = await swarms.connect({ workers: 0 })
    // A = 2, B = 3, C = 20, D = 60.
    expect(await reader.result(reader.ref(printed))).toBe(60)
    expect(executors.reduce((n, e) => n + e.runs, 0)).toBeGreaterThanOrEqual(4)

    const failing = reader.pure(({ why }: { why: string }) => {
      throw new Error(why)
    }, { name: 'failing' })
    const broken = await failing.submit({ why: 'no input' })
    await expect(reader.pure(({ x }: { x: number }) => x + 1, { name: 'inc' }).remote({ x: broken })).rejects.toBeInstanceOf(DependencyFailedError)

    const chain = reader.graph()
    const readerInc = reader.pure(({ x }: { x: number }) => x + 1, { name: 'inc' })
    let last = chain.add(readerInc, { x: 1_000 })
    for (let i = 1; i < 100; i++) last = chain.add(readerInc, { x: last })
    await chain.submit()
    const started = performance.now()
    expect(await reader.result(last)).toBe(1_100)
    const ms = performance.now() - started
    console.log(`[figure] chain of 100 over the real mesh (2 donors, WebRTC loopback): ${ms.toFixed(0)} ms, ${(ms / 100).toFixed(1)} ms a link`)
  }, 60_000)
})
