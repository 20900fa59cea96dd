import { executorChecks, executorFunctions, runChecks, type CheckResult } from '@tessera/core/testing'
import { WebWorkerExecutor } from '@tessera/client'
import { definePure } from '@tessera/core'

export interface WebWorkerExecutorPage {
  /** Core's executor contract, run here against real Web Workers. */
  checks?: CheckResult[]
  /** Microseconds per task: one at a time, and many in flight over two workers. */
  overheadUs?: { readonly sequential: number; readonly concurrent: number }
  /** Runs after a task that posted forged replies from the worker's global scope: what they returned. */
  afterForgery?: { readonly forger: unknown; readonly squares: unknown[]; readonly reachedGlobal: boolean }
  fatal?: string
}

const { square } = executorFunctions
const limit = { timeoutMs: 5_000 }

async function measureOverhead(): Promise<{ sequential: number; concurrent: number }> {
  const executor = new WebWorkerExecutor({ workers: 2 })
  await Promise.all([executor.run(square, { x: 0 }, limit), executor.run(square, { x: 0 }, limit)])
  let started = performance.now()
  for (let x = 0; x < 300; x++) await executor.run(square, { x }, limit)
  const sequential = ((performance.now() - started) / 300) * 1_000
  started = performance.now()
  await Promise.all(Array.from({ length: 1_000 }, (_, x) => executor.run(square, { x }, limit)))
  const concurrent = ((performance.now() - started) / 1_000) * 1_000
  await executor.close()
  return { sequential, concurrent }
}

/**
 * A task that reaches the worker's global scope posts a reply for every run id
 * the pool might use next; the runs after it on the same worker must still get
 * their own results.
 */
async function forgeReplies(): Promise<NonNullable<WebWorkerExecutorPage['afterForgery']>> {
  const forger = definePure(
    ({ ids }: { ids: number }) => {
      const scope = Function('return this')() as { postMessage?: (message: unknown) => void } | undefined
      if (typeof scope?.postMessage !== 'function') return 'no global scope'
      for (let id = 0; id < ids; id++) scope.postMessage({ type: 'reply', id, reply: { kind: 'value', value: 'forged', logs: [] } })
      return 'posted'
    },
    { name: 'forger' },
  )
  const executor = new WebWorkerExecutor({ workers: 1 })
  const forged = await executor.run(forger, { ids: 1_000 }, limit)
  const squares = await Promise.all(Array.from({ length: 20 }, (_, x) => executor.run(square, { x }, limit)))
  await executor.close()
  const valueOf = (execution: { kind: string; value?: unknown }): unknown => (execution.kind === 'value' ? execution.value : execution.kind)
  return { forger: valueOf(forged), squares: squares.map(valueOf), reachedGlobal: valueOf(forged) === 'posted' }
}

async function main(): Promise<void> {
  // One worker, as a two-core machine gets by default, except where the check needs two.
  const results = await runChecks(executorChecks, async ({ workers }) => ({
    executor: new WebWorkerExecutor({ workers }),
    stopsBusyLoops: true,
    stopsRuns: true,
    movesArguments: true,
    runsInParallel: workers > 1,
  }))
  const page = globalThis as WebWorkerExecutorPage
  page.overheadUs = await measureOverhead()
  page.afterForgery = await forgeReplies()
  page.checks = results
}

main().catch((error: unknown) => {
  ;(globalThis as WebWorkerExecutorPage).fatal = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error)
})
