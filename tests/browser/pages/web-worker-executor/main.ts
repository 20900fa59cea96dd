import { executorChecks, executorFunctions, runChecks, type CheckResult } from '@tessera/core/testing'
import { WebWorkerExecutor } from '@tessera/client'

export interface WebWorkerExecutorPage {
  /** Core's executor contract, run here against real Web Workers. */
  checks?: CheckResult[]
  /** Microseconds per task: one at a time, and many in flight over two workers. */
  overheadUs?: { readonly sequential: number; readonly concurrent: number }
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
  page.checks = results
}

main().catch((error: unknown) => {
  ;(globalThis as WebWorkerExecutorPage).fatal = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error)
})
