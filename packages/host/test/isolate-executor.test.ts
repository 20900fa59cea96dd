import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { definePure, functionAddress, type PureFunctionSource } from '@tessera/core'
import { executorChecks } from '@tessera/core/testing'
import { runContract } from '@tessera/core/testing/vitest'
import { IsolateExecutor, ThreadExecutor } from '@tessera/host'

// Arguments cross into an isolate as copies: the caller's buffers are never moved.
runContract('Executor contract: IsolateExecutor', executorChecks, async ({ workers }) => ({
  executor: new IsolateExecutor({ workers }),
  stopsBusyLoops: true,
  stopsRuns: true,
  movesArguments: false,
  runsInParallel: workers > 1,
}))

/** A function from raw source: hostile code need not pass the definition-time checks, since it arrives as source. */
function hostile(name: string, source: string): PureFunctionSource {
  return { name, source, address: functionAddress(name, source) }
}

const RUN = { timeoutMs: 10_000 }

describe('IsolateExecutor: a stranger’s task cannot reach the host', () => {
  let sink: Server
  let requests = 0
  let port = 0
  beforeAll(async () => {
    sink = createServer((_, res) => {
      requests++
      res.end('reached')
    })
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve))
    port = (sink.address() as { port: number }).port
  })
  afterAll(() => new Promise<void>((resolve) => sink.close(() => resolve())))

  it('finds no process, require, fs, env, child_process, fetch or sockets by any path; 0 requests reach a loopback sink', async () => {
    const probe = hostile(
      'probe',
      `async ({ url }) => {
        const found = []
        const root = [].constructor.constructor('return this')()
        const names = ['process', 'require', 'module', 'Buffer', 'fetch', 'XMLHttpRequest', 'WebSocket', 'setTimeout', 'setImmediate', 'queueMicrotask', 'importScripts', 'Deno', 'Bun']
        for (const name of names) if (typeof root[name] !== 'undefined' || typeof globalThis[name] !== 'undefined') found.push(name)
        try { const p = Function('return process')(); if (p) found.push('Function:process') } catch {}
        try { const m = await import('node:fs'); if (m) found.push('import:fs') } catch {}
        try { const m = await import('node:child_process'); if (m) found.push('import:child_process') } catch {}
        try { const r = await fetch(url); if (r) found.push('fetch') } catch {}
        try { const p = await (async function () {}).constructor('return process')(); if (p) found.push('AsyncFunction:process') } catch {}
        try { if (new Error().stack.includes('/')) found.push('host paths in stacks') } catch {}
        return found
      }`,
    )
    const executor = new IsolateExecutor({ workers: 1 })
    try {
      const result = await executor.run(probe, { url: `http://127.0.0.1:${port}/` }, RUN)
      expect(result, JSON.stringify(result)).toMatchObject({ kind: 'value', value: [] })
      expect(requests).toBe(0)
      console.log('[figure] donor sandbox (Node isolate): host objects reached 0, requests at the sink', requests)
    } finally {
      await executor.close()
    }
  })

  it('a thread executor, by contrast, reaches the process (why connect() never gives it strangers’ tasks)', async () => {
    const probe = hostile('probe', `() => typeof [].constructor.constructor('return this')().process`)
    const executor = new ThreadExecutor({ workers: 1 })
    try {
      expect(await executor.run(probe, {}, RUN)).toMatchObject({ kind: 'value', value: 'object' })
    } finally {
      await executor.close()
    }
  })
})

describe('IsolateExecutor: no job changes what another job sees', () => {
  it('Math.sqrt = () => 42 in job A leaves Math.sqrt(16) = 4 in job B on the same isolate', async () => {
    const poison = hostile(
      'poison',
      `() => {
        const changed = []
        const attempts = {
          'Math.sqrt': () => { Math.sqrt = () => 42 },
          'Array.prototype.map': () => { Array.prototype.map = () => [] },
          'Object.prototype.x': () => { Object.prototype.x = 1 },
          'globalThis.shared': () => { globalThis.shared = 'poisoned' },
          'JSON.parse': () => { JSON.parse = () => 42 },
          'iterator next': () => { Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true }) },
        }
        for (const [name, attempt] of Object.entries(attempts)) { try { attempt(); changed.push(name) } catch {} }
        return changed
      }`,
    )
    const victim = hostile(
      'victim',
      `() => [Math.sqrt(16), [1, 2].map((x) => x * 2).length, ({}).x === undefined, typeof globalThis.shared, JSON.parse('7'), [...[1, 2, 3]].length]`,
    )
    const executor = new IsolateExecutor({ workers: 1 })
    try {
      const changed = await executor.run(poison, {}, RUN)
      expect(changed).toMatchObject({ kind: 'value', value: [] })
      expect(await executor.run(victim, {}, RUN)).toMatchObject({ kind: 'value', value: [4, 2, true, 'undefined', 7, 3] })
      console.log('[figure] donor sandbox (Node isolate): built-ins changed across jobs 0')
    } finally {
      await executor.close()
    }
  })

  it('ordinary code that overrides inherited names still works on hardened built-ins', async () => {
    const usual = definePure(
      () => {
        class DomainError extends Error {
          constructor(message: string) {
            super(message)
            this.name = 'DomainError'
          }
        }
        const point = { x: 1, toString: () => 'p' }
        const o: { toString?: () => string } = {}
        o.toString = () => 'o'
        return [new DomainError('x').name, String(point), String(o), new TextDecoder().decode(new TextEncoder().encode('héllo')), structuredClone({ a: [1] }).a[0]]
      },
      { name: 'usual' },
    )
    const executor = new IsolateExecutor({ workers: 1 })
    try {
      expect(await executor.run(usual, {}, RUN)).toMatchObject({ kind: 'value', value: ['DomainError', 'p', 'o', 'héllo', 1] })
    } finally {
      await executor.close()
    }
  })
})

// Threads get the same check in thread-executor.test.ts.
describe('memory: a task over the heap cap fails with TaskMemoryError and the donor runs the next task', () => {
  const hog = hostile('hog', `() => { const kept = []; for (let i = 0; i < 4e9 / 64; i++) kept.push({ i, more: [i, i] }); return kept.length }`)
  const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })

  it('builds 4 GB of objects on an isolate capped at 64 MB', async () => {
    const executor = new IsolateExecutor({ workers: 1, memoryLimitMb: 64 })
    try {
      const started = performance.now()
      expect(await executor.run(hog, {}, { timeoutMs: 60_000 })).toMatchObject({ kind: 'timeout', error: { name: 'TaskMemoryError' } })
      const ms = Math.round(performance.now() - started)
      expect(await executor.run(square, { x: 6 }, RUN)).toMatchObject({ kind: 'value', value: 36 })
      console.log(`[figure] 4 GB task on an isolate capped at 64 MB: TaskMemoryError after ${ms} ms, donor alive, next task ran`)
    } finally {
      await executor.close()
    }
  }, 90_000)
})
