import { CancelledError, functionAddress, type Execution, type PureFunctionSource } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { WorkerPool } from '../src/pool/index.ts'
import { fakeWorkers, type FakeWorker } from './support/fake-worker.ts'
import { sentTo, square, ticks, value } from './support/pool-helpers.ts'

describe('WorkerPool: aborts, refusals and close', () => {
  it('takes an aborted run out of the queue without touching any worker', async () => {
    const workers = fakeWorkers()
    const pool = new WorkerPool({ workers: 1, createWorker: workers.create })
    const first = pool.run(square, { x: 1 }, { timeoutMs: 5_000 })
    const controller = new AbortController()
    const queued = pool.run(square, { x: 2 }, { timeoutMs: 5_000, signal: controller.signal })
    const last = pool.run(square, { x: 3 }, { timeoutMs: 5_000 })
    await ticks()
    expect(pool.queued).toBe(2)
    controller.abort()
    await expect(queued).rejects.toMatchObject({ name: 'CancelledError' })
    expect(pool.queued).toBe(1)
    workers.made[0]?.sent[0]?.reply(value(1))
    await ticks()
    expect(sentTo(workers.made[0])).toEqual([1, 3])
    workers.made[0]?.sent[1]?.reply(value(9))
    expect(await Promise.all([first, last])).toMatchObject([value(1), value(9)])
    expect(workers.made).toHaveLength(1)
    await pool.close()
  })

  it('terminates and replaces the worker of an aborted running task; a signal aborted already rejects at once', async () => {
    const workers = fakeWorkers()
    const pool = new WorkerPool({ workers: 1, createWorker: workers.create })
    const controller = new AbortController()
    const running = pool.run(square, { x: 1 }, { timeoutMs: 5_000, signal: controller.signal })
    await ticks()
    controller.abort(new Error('the job was cancelled'))
    const error: unknown = await running.catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'CancelledError', message: 'run of "square" was aborted' })
    expect(error).toBeInstanceOf(CancelledError)
    expect((error as Error).cause).toMatchObject({ message: 'the job was cancelled' })
    expect(workers.made[0]?.terminated).toBe(true)
    expect(workers.made).toHaveLength(2)
    await expect(pool.run(square, { x: 1 }, { timeoutMs: 5_000, signal: controller.signal })).rejects.toMatchObject({ name: 'CancelledError' })
    expect(pool.queued + pool.busy).toBe(0)
    await pool.close()
  })

  it('keeps a starting worker when the run waiting for it is aborted', async () => {
    const workers = fakeWorkers({ startNow: false })
    const pool = new WorkerPool({ workers: 1, createWorker: workers.create })
    const controller = new AbortController()
    const waiting = pool.run(square, { x: 1 }, { timeoutMs: 5_000, signal: controller.signal })
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ name: 'CancelledError' })
    expect(workers.made[0]?.terminated).toBe(false)
    workers.made[0]?.start()
    const next = pool.run(square, { x: 2 }, { timeoutMs: 5_000 })
    await ticks()
    expect(sentTo(workers.made[0])).toEqual([2])
    workers.made[0]?.sent[0]?.reply(value(4))
    expect(await next).toMatchObject(value(4))
    await pool.close()
  })

  it('rejects with the rebuilt error when the worker refuses the function, and keeps the worker', async () => {
    const workers = fakeWorkers()
    const pool = new WorkerPool({ workers: 1, createWorker: workers.create })
    const refused = pool.run(square, { x: 1 }, { timeoutMs: 5_000 })
    await ticks()
    workers.made[0]?.sent[0]?.reply({ kind: 'refused', error: { name: 'AddressError', message: 'source does not match' } })
    await expect(refused).rejects.toMatchObject({ name: 'AddressError', message: 'source does not match' })
    expect(workers.made[0]?.terminated).toBe(false)
    await pool.close()
  })

  it('rejects a run that cannot be sent, and keeps the worker', async () => {
    const workers = fakeWorkers()
    const pool = new WorkerPool({ workers: 1, createWorker: workers.create })
    const worker = workers.made[0] as FakeWorker
    worker.run = () => Promise.reject(new DOMException('could not be cloned', 'DataCloneError'))
    await expect(pool.run(square, { x: 1 }, { timeoutMs: 5_000 })).rejects.toMatchObject({ name: 'DataCloneError' })
    expect(worker.terminated).toBe(false)
    expect(pool.busy).toBe(0)
    await pool.close()
  })

  it('close() rejects running and queued runs, terminates every worker, and refuses later runs', async () => {
    const workers = fakeWorkers()
    const pool = new WorkerPool({ workers: 2, createWorker: workers.create })
    const runs: Promise<Execution>[] = [1, 2, 3].map((x) => pool.run(square, { x }, { timeoutMs: 5_000 }))
    await ticks()
    const rejected = runs.map((run) => expect(run).rejects.toMatchObject({ name: 'ExecutorClosedError' }))
    await pool.close()
    await Promise.all(rejected)
    expect(workers.made.map((w) => w.terminated)).toEqual([true, true])
    await expect(pool.run(square, { x: 1 }, { timeoutMs: 5_000 })).rejects.toMatchObject({ name: 'ExecutorClosedError' })
    // A late crash or reply changes nothing and starts no worker.
    workers.made[0]?.crash('late')
    workers.made[1]?.sent[0]?.reply(value(4))
    await ticks()
    expect(workers.made).toHaveLength(2)
    expect({ size: pool.size, busy: pool.busy, queued: pool.queued }).toEqual({ size: 0, busy: 0, queued: 0 })
    await pool.close()
  })

  it('compiles in the worker: a forged source comes back refused as AddressError', async () => {
    const workers = fakeWorkers({ answerHere: true })
    const pool = new WorkerPool({ workers: 1, createWorker: workers.create })
    const forged: PureFunctionSource = { name: 'square', source: '({ x }) => x + 1', address: functionAddress('square', '({ x }) => x * x') }
    await expect(pool.run(forged, { x: 1 }, { timeoutMs: 5_000 })).rejects.toMatchObject({ name: 'AddressError' })
    expect(await pool.run(square, { x: 3 }, { timeoutMs: 5_000 })).toMatchObject(value(9))
    await pool.close()
  })
})
