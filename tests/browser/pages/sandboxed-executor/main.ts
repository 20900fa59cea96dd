import { SandboxedExecutor } from '@tessera/client'
import { assert, executorChecks, executorFunctions, overlappingRuns, runChecks, type CheckResult, type ContractCheck } from '@tessera/core/testing'

export interface SandboxedExecutorPage {
  /** Core's executor contract, run here against sandboxed workers. */
  checks?: CheckResult[]
  /** What only SandboxedExecutor does. */
  ownChecks?: CheckResult[]
  fatal?: string
}

const { spin } = executorFunctions
const limit = { timeoutMs: 5_000 }
const fourSpins = (executor: SandboxedExecutor) => Promise.all([1, 2, 3, 4].map(() => executor.run(spin, { ms: 100 }, limit)))

const sandboxedExecutorChecks: readonly ContractCheck<void>[] = [
  {
    name: 'resizes while runs go on',
    async run() {
      const executor = new SandboxedExecutor({ workers: 1 })
      try {
        assert(overlappingRuns(await fourSpins(executor)) === 0, 'runs overlapped on one worker')
        const growing = fourSpins(executor)
        executor.resize(2)
        await growing
        // The second worker may still be starting on a busy machine, and the first then takes every
        // run (it failed so once in a full browser run): a few rounds give it time, as in the core contract.
        let overlapped = 0
        for (let round = 0; round < 4 && overlapped < 2; round++) overlapped = overlappingRuns(await fourSpins(executor))
        assert(overlapped >= 2, 'no two runs overlapped in 4 rounds after resize(2)')
        executor.resize(0)
        // At 0, a run that still arrives gets a worker of its own.
        const late = await executor.run(spin, { ms: 10 }, limit)
        assert(late.kind === 'value', `a run at 0 workers: ${JSON.stringify(late)}`)
        assert(executor.workers === 0 && executor.busy === 0, `workers ${executor.workers}, busy ${executor.busy}`)
      } finally {
        await executor.close()
      }
    },
  },
]

async function main(): Promise<void> {
  // Every check gets its own executor, and so its own sandbox frame.
  const checks = await runChecks(executorChecks, async ({ workers }) => ({
    executor: new SandboxedExecutor({ workers }),
    stopsBusyLoops: true,
    stopsRuns: true,
    movesArguments: true,
    runsInParallel: workers > 1,
  }))
  const ownChecks = await runChecks(sandboxedExecutorChecks, undefined)
  Object.assign(globalThis as SandboxedExecutorPage, { checks, ownChecks })
}

main().catch((error: unknown) => {
  ;(globalThis as SandboxedExecutorPage).fatal = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error)
})
