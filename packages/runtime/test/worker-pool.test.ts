import { fromErrorRecord, WorkerCrashedError } from '@tessera/core'
import { executorChecks } from '@tessera/core/testing'
import { runContract } from '@tessera/core/testing/vitest'
import { describe, expect, it } from 'vitest'
import { WorkerPool } from '../src/pool/index.ts'
import { fakeWorkers } from './support/fake-worker.ts'
import { messageOf, sentTo, sleep, square, sum, ticks, value } from './support/pool-helpers.ts'

// The pool over workers that run in this very thread: every contract check but
// the busy loop and the overlapping runs, which need threads of their own.
runContract('Executor contract: WorkerPool (in-process workers)', executorChecks, async ({ workers }) => {
  const made = fakeWorkers({ answerHere: true })
  return { executor: new WorkerPool({ workers, createWorker: made.create }), stopsBusyLoops: false, stopsRuns: true }
})

describe('WorkerPool', () => {
  it('starts every worker at once and refuses a pool without workers', async () => {
    const workers = fakeWorkers()
    const pool = new WorkerPool({ workers: 3, createWorker: workers.create })
    expect(workers.made).toHaveLength(3)
    expect({ size: pool.size, busy: pool.busy, queued: pool.queued }).toEqual({ size: 3, busy: 0, queued: 0 })
    await pool.close()
    expect(workers.made.every((w) => w.terminated)).toBe(true)
    expect(() => new WorkerPool({ workers: 0, createWorker: workers.create })).toThrow(RangeError)
    expect(() => new WorkerPool({ workers: 1.5, createWorker: workers.create })).toThrow(RangeError)
  })

  it('runs one task per worker and queues the rest, first in first out', async () => {
    const workers = fakeWorkers()
    const pool = new WorkerPool({ workers: 2, createWorker: workers.create })
    const runs = [1, 2, 3, 4, 5].map((x) => pool.run(square, { x }, { timeoutMs: 5_000 }))
    await ticks()
    const [a, b] = workers.made
    expect([sentTo(a), sentTo(b)]).toEqual([[1], [2]])
    expect({ busy: pool.busy, queued: pool.queued }).toEqual({ busy: 2, queued: 3 })
    b?.sent[0]?.reply(value(4))
    await ticks()
    expect([sentTo(a), sentTo(b)]).toEqual([[1], [2, 3]])
    a?.sent[0]?.reply(value(1))
    await ticks()
    expect([sentTo(a), sentTo(b)]).toEqual([[1, 4], [2, 3]])
    b?.sent[1]?.reply(value(9))
    await ticks()
    expect([sentTo(a), sentTo(b)]).toEqual([[1, 4], [2, 3, 5]])
    a?.sent[1]?.reply(value(16))
    b?.sent[2]?.reply(value(25))
    const results = await Promise.all(runs)
    expect(results.map((r) => (r.kind === 'value' ? r.value : r.kind))).toEqual([1, 4, 9, 16, 25])
    expect({ busy: pool.busy, queued: pool.queued }).toEqual({ busy: 0, queued: 0 })
    await pool.close()
  })

  it('sends only the name, source and address of a function, and moves the buffers of the arguments', async () => {
    const workers = fakeWorkers()
    const pool = new WorkerPool({ workers: 1, createWorker: workers.create })
    const v = new Float64Array([1, 2])
    const w = new Float64Array(v.buffer, 8, 1)
    const done = pool.run(sum, { v, nested: { w, m: new Map([[1, new Uint8Array(3)]]) } }, { timeoutMs: 5_000 })
    await ticks()
    const sent = workers.made[0]?.sent[0]
    expect(sent?.fn).toEqual({ name: 'sum', source: sum.source, address: sum.address })
    expect(sent?.transfer).toHaveLength(2)
    expect(sent?.transfer).toContain(v.buffer)
    sent?.reply(value(3))
    await done
    await pool.close()

    const copying = fakeWorkers()
    const keeps = new WorkerPool({ workers: 1, createWorker: copying.create, transferArgs: false })
    const kept = keeps.run(sum, { v }, { timeoutMs: 5_000 })
    await ticks()
    expect(copying.made[0]?.sent[0]?.transfer).toEqual([])
    copying.made[0]?.sent[0]?.reply(value(3))
    await kept
    await keeps.close()
  })

  it('times a run out, terminates its worker, starts a fresh one and ignores the late reply', async () => {
    const workers = fakeWorkers()
    const pool = new WorkerPool({ workers: 2, createWorker: workers.create })
    const slow = pool.run(square, { x: 1 }, { timeoutMs: 40 })
    const other = pool.run(square, { x: 2 }, { timeoutMs: 5_000 })
    const result = await slow
    expect(result).toMatchObject({ kind: 'timeout', error: { name: 'TaskTimeoutError' } })
    expect(messageOf(result)).toContain('"square" ran past its 40 ms limit')
    expect(result.durationMs).toBeGreaterThanOrEqual(35)
    const [a, b, fresh] = workers.made
    expect(a?.terminated).toBe(true)
    expect(b?.terminated).toBe(false)
    expect(fresh).toBeDefined()
    expect(pool.size).toBe(2)
    a?.sent[0]?.reply(value(1))
    // The other worker's run was never touched.
    b?.sent[0]?.reply(value(4))
    expect(await other).toMatchObject(value(4))
    const next = pool.run(square, { x: 3 }, { timeoutMs: 5_000 })
    await ticks()
    expect(sentTo(fresh).length + sentTo(b).length).toBe(2)
    ;(fresh?.sent[0] ?? b?.sent[1])?.reply(value(9))
    expect(await next).toMatchObject(value(9))
    await pool.close()
  })

  it('starts the watchdog and the duration only once the worker has started', async () => {
    const workers = fakeWorkers({ startNow: false })
    const pool = new WorkerPool({ workers: 1, createWorker: workers.create })
    // Margins wide enough for a loaded 2-core machine: the wait before start is past the timeout.
    const run = pool.run(square, { x: 2 }, { timeoutMs: 400 })
    await sleep(500)
    expect(workers.made[0]?.sent).toHaveLength(0)
    expect(pool.busy).toBe(1)
    workers.made[0]?.start()
    await ticks()
    await sleep(20)
    workers.made[0]?.sent[0]?.reply(value(4))
    const result = await run
    expect(result).toMatchObject(value(4))
    expect(result.durationMs).toBeGreaterThanOrEqual(15)
    expect(result.durationMs).toBeLessThan(400)
    await pool.close()
  })

  it('fails the run of a worker that crashes as a retryable WorkerCrashedError, and replaces the worker', async () => {
    const workers = fakeWorkers()
    const pool = new WorkerPool({ workers: 2, createWorker: workers.create })
    const doomed = pool.run(square, { x: 1 }, { timeoutMs: 5_000 })
    const other = pool.run(square, { x: 2 }, { timeoutMs: 5_000 })
    await ticks()
    const [a, b] = workers.made
    a?.crash('ERR_WORKER_OUT_OF_MEMORY: heap limit reached')
    const result = await doomed
    expect(result).toMatchObject({ kind: 'timeout', error: { name: 'WorkerCrashedError' } })
    expect(messageOf(result)).toContain('while running "square": ERR_WORKER_OUT_OF_MEMORY')
    // The record comes back as the class itself on the other side of a boundary.
    expect(result.kind === 'timeout' && fromErrorRecord(result.error)).toBeInstanceOf(WorkerCrashedError)
    expect(workers.made).toHaveLength(3)
    expect(pool.size).toBe(2)
    // A second report from the dead worker changes nothing.
    a?.crash('exited with code 1')
    expect(workers.made).toHaveLength(3)
    b?.sent[0]?.reply(value(4))
    expect(await other).toMatchObject(value(4))
    const next = pool.run(square, { x: 5 }, { timeoutMs: 5_000 })
    await ticks()
    const third = workers.made[2]
    expect(sentTo(third).length + sentTo(b).length).toBe(2)
    ;(third?.sent[0] ?? b?.sent[1])?.reply(value(25))
    expect(await next).toMatchObject(value(25))
    await pool.close()
  })

  it('does not respawn a worker that dies while starting until a run needs one', async () => {
    const workers = fakeWorkers({ startNow: false })
    const pool = new WorkerPool({ workers: 1, createWorker: workers.create })
    const first = pool.run(square, { x: 3 }, { timeoutMs: 5_000 })
    workers.made[0]?.crash('SyntaxError in the worker script')
    expect(await first).toMatchObject({ kind: 'timeout', error: { name: 'WorkerCrashedError' } })
    expect(pool.size).toBe(0)
    await sleep(20)
    expect(workers.made).toHaveLength(1)
    const second = pool.run(square, { x: 3 }, { timeoutMs: 5_000 })
    expect(workers.made).toHaveLength(2)
    workers.made[1]?.start()
    await ticks()
    workers.made[1]?.sent[0]?.reply(value(9))
    expect(await second).toMatchObject(value(9))
    await pool.close()
  })

  it('fails runs as WorkerCrashedError while no worker can be made, and recovers when one can', async () => {
    const workers = fakeWorkers()
    let broken = true
    const pool = new WorkerPool({
      workers: 1,
      createWorker: () => {
        if (broken) throw new Error('worker script blocked')
        return workers.create()
      },
    })
    expect(pool.size).toBe(0)
    const result = await pool.run(square, { x: 2 }, { timeoutMs: 5_000 })
    expect(result).toMatchObject({ kind: 'timeout', error: { name: 'WorkerCrashedError' } })
    expect(messageOf(result)).toContain('could not start a worker for "square": Error: worker script blocked')
    broken = false
    const next = pool.run(square, { x: 2 }, { timeoutMs: 5_000 })
    await ticks()
    workers.made[0]?.sent[0]?.reply(value(4))
    expect(await next).toMatchObject(value(4))
    await pool.close()
  })

  it('counts a worker that does not start in time as crashed', async () => {
    const workers = fakeWorkers({ startNow: false })
    const pool = new WorkerPool({ workers: 1, createWorker: workers.create, startTimeoutMs: 50 })
    const result = await pool.run(square, { x: 3 }, { timeoutMs: 5_000 })
    expect(result).toMatchObject({ kind: 'timeout', error: { name: 'WorkerCrashedError' } })
    expect(messageOf(result)).toContain('did not start within 50 ms')
    expect(workers.made[0]?.terminated).toBe(true)
    await pool.close()
  })
})
