import { availableParallelism } from 'node:os'
import { definePure, functionAddress, type Execution, type PureFunctionSource } from '@tessera/core'
import { executorChecks } from '@tessera/core/testing'
import { runContract } from '@tessera/core/testing/vitest'
import { describe, expect, it } from 'vitest'
import { ThreadExecutor } from '../src/thread-executor.ts'

/** The error message of a run that did not end in a value. */
const messageOf = (execution: Execution): string => (execution.kind === 'value' ? '' : execution.error.message)

// One thread, as on the two-core machines this runs on by default, except where the check needs two.
runContract('Executor contract: ThreadExecutor', executorChecks, async ({ workers }) => ({
  executor: new ThreadExecutor({ workers }),
  stopsBusyLoops: true,
  stopsRuns: true,
  movesArguments: true,
  runsInParallel: workers > 1,
}))

/** Source built here rather than through definePure, to reach the worker's globals on purpose. */
function source(name: string, text: string): PureFunctionSource {
  return { name, source: text, address: functionAddress(name, text) }
}

// Busy-waits `ms`, then says which thread it ran on, how often that thread compiled it, and when it ran.
const marked = source(
  'marked',
  `(globalThis.__thread ??= Math.random(), globalThis.__compiles = (globalThis.__compiles ?? 0) + 1,
    ({ ms }) => { const start = Date.now(); while (Date.now() - start < ms); return { thread: globalThis.__thread, compiles: globalThis.__compiles, start, end: Date.now() } })`,
)
const busyLoop = definePure(
  () => {
    for (;;) {
      // never returns
    }
  },
  { name: 'busyLoop' },
)
const double = definePure(({ v }: { v: Float64Array }) => v.map((x) => x * 2), { name: 'double' })
const hog = source('hog', '() => { const keep = []; for (;;) keep.push(new Array(100000).fill(1.5)) }')

interface Mark {
  readonly thread: number
  readonly compiles: number
  readonly start: number
  readonly end: number
}

function markOf(execution: Execution): Mark {
  if (execution.kind !== 'value') throw new Error(`expected a value, got ${JSON.stringify(execution)}`)
  return execution.value as unknown as Mark
}

/** The most intervals that were open at one moment. */
function mostAtOnce(marks: readonly Mark[]): number {
  const edges = marks.flatMap((m) => [{ at: m.start, d: 1 }, { at: m.end, d: -1 }]).sort((a, b) => a.at - b.at || a.d - b.d)
  let open = 0
  let most = 0
  for (const edge of edges) most = Math.max(most, (open += edge.d))
  return most
}

describe('ThreadExecutor', () => {
  it('defaults to one thread per core less one, at least one', async () => {
    const executor = new ThreadExecutor()
    expect(executor.size).toBe(Math.max(1, availableParallelism() - 1))
    await executor.close()
  })

  it('runs tasks on all its threads at once, each thread compiling a function once', async () => {
    const executor = new ThreadExecutor({ workers: 2 })
    const marks = (await Promise.all(Array.from({ length: 6 }, () => executor.run(marked, { ms: 150 }, { timeoutMs: 10_000 })))).map(markOf)
    expect(new Set(marks.map((m) => m.thread)).size).toBe(2)
    expect(marks.map((m) => m.compiles)).toEqual([1, 1, 1, 1, 1, 1])
    expect(mostAtOnce(marks)).toBe(2)
    await executor.close()
  })

  it('moves typed arrays into the thread (detaching them here) and their results back intact', async () => {
    const executor = new ThreadExecutor({ workers: 1 })
    const v = new Float64Array(1 << 20).fill(1.25)
    const result = await executor.run(double, { v }, { timeoutMs: 10_000 })
    expect(v.byteLength).toBe(0)
    expect(result.kind).toBe('value')
    const doubled = result.kind === 'value' ? (result.value as Float64Array) : new Float64Array()
    expect(doubled).toBeInstanceOf(Float64Array)
    expect(doubled.length).toBe(1 << 20)
    expect(doubled[0]).toBe(2.5)
    expect(doubled[(1 << 20) - 1]).toBe(2.5)
    await executor.close()

    const copying = new ThreadExecutor({ workers: 1, transferArgs: false })
    const kept = new Float64Array([1, 2])
    expect(await copying.run(double, { v: kept }, { timeoutMs: 10_000 })).toMatchObject({ kind: 'value', value: new Float64Array([2, 4]) })
    expect(kept).toEqual(new Float64Array([1, 2]))
    await copying.close()
  })

  it('kills a busy loop and replaces its thread while the other thread keeps its task', async () => {
    const executor = new ThreadExecutor({ workers: 2 })
    const before = (await Promise.all([1, 2].map(() => executor.run(marked, { ms: 100 }, { timeoutMs: 10_000 })))).map(markOf)
    const threads = new Set(before.map((m) => m.thread))
    expect(threads.size).toBe(2)
    const survivor = executor.run(marked, { ms: 1_000 }, { timeoutMs: 10_000 })
    const looped = await executor.run(busyLoop, {}, { timeoutMs: 200 })
    expect(looped).toMatchObject({ kind: 'timeout', error: { name: 'TaskTimeoutError' } })
    expect(looped.durationMs).toBeGreaterThanOrEqual(190)
    expect(looped.durationMs).toBeLessThan(1_000)
    const kept = markOf(await survivor)
    expect(threads.has(kept.thread)).toBe(true)
    expect(executor.size).toBe(2)
    const after = (await Promise.all([1, 2].map(() => executor.run(marked, { ms: 100 }, { timeoutMs: 10_000 })))).map(markOf)
    const newThreads = after.map((m) => m.thread).filter((t) => !threads.has(t))
    expect(after.map((m) => m.thread)).toContain(kept.thread)
    expect(newThreads).toHaveLength(1)
    await executor.close()
  })

  it('fails the run of a thread that runs out of memory as a retryable TaskMemoryError, and carries on', async () => {
    const executor = new ThreadExecutor({ workers: 1, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } })
    const result = await executor.run(hog, {}, { timeoutMs: 20_000 })
    expect(result).toMatchObject({ kind: 'timeout', error: { name: 'TaskMemoryError' } })
    expect(messageOf(result)).toMatch(/memory/)
    expect(executor.size).toBe(1)
    expect(markOf(await executor.run(marked, { ms: 1 }, { timeoutMs: 10_000 })).compiles).toBe(1)
    await executor.close()
  })

  it('stops a run when its signal aborts, long before its time limit, and carries on', async () => {
    const executor = new ThreadExecutor({ workers: 1 })
    await executor.run(marked, { ms: 1 }, { timeoutMs: 10_000 })
    const controller = new AbortController()
    const started = performance.now()
    const running = executor.run(busyLoop, {}, { timeoutMs: 30_000, signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    await expect(running).rejects.toMatchObject({ name: 'CancelledError' })
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(markOf(await executor.run(marked, { ms: 1 }, { timeoutMs: 10_000 })).compiles).toBe(1)
    await executor.close()
  })

  it('close() rejects the running and the queued runs and refuses later ones', async () => {
    const executor = new ThreadExecutor({ workers: 1 })
    await executor.run(marked, { ms: 1 }, { timeoutMs: 10_000 })
    const running = executor.run(busyLoop, {}, { timeoutMs: 30_000 })
    const queued = executor.run(marked, { ms: 1 }, { timeoutMs: 10_000 })
    expect({ busy: executor.busy, queued: executor.queued }).toEqual({ busy: 1, queued: 1 })
    const rejected = [running, queued].map((run) => expect(run).rejects.toMatchObject({ name: 'ExecutorClosedError' }))
    await executor.close()
    await Promise.all(rejected)
    await expect(executor.run(marked, { ms: 1 }, { timeoutMs: 10_000 })).rejects.toMatchObject({ name: 'ExecutorClosedError' })
    expect(executor.size).toBe(0)
  })
})
