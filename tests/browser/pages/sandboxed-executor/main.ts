import { SandboxedExecutor } from '@tessera/client'
import { check, overlappingRuns, runExecutorChecks, spin, type CheckResult } from '../executor-checks.ts'

export interface SandboxedExecutorPage {
  checks?: CheckResult[]
  fatal?: string
}

const limit = { timeoutMs: 5_000 }
const fourSpins = (executor: SandboxedExecutor) => Promise.all([1, 2, 3, 4].map(() => executor.run(spin, { ms: 100 }, limit)))

/** What only SandboxedExecutor does: change its worker count while runs go on. */
async function resizes(): Promise<void> {
  const executor = new SandboxedExecutor({ workers: 1 })
  try {
    check(overlappingRuns(await fourSpins(executor)) === 0, 'runs overlapped on one worker')
    const growing = fourSpins(executor)
    executor.resize(2)
    await growing
    check(overlappingRuns(await fourSpins(executor)) >= 2, 'no two runs overlapped after resize(2)')
    executor.resize(0)
    // At 0, a run that still arrives gets a worker of its own.
    const late = await executor.run(spin, { ms: 10 }, limit)
    check(late.kind === 'value', `a run at 0 workers: ${JSON.stringify(late)}`)
    check(executor.workers === 0 && executor.busy === 0, `workers ${executor.workers}, busy ${executor.busy}`)
  } finally {
    await executor.close()
  }
}

async function main(): Promise<CheckResult[]> {
  // Every check gets its own executor, and so its own sandbox frame.
  const results = await runExecutorChecks((workers) => new SandboxedExecutor({ workers }))
  const started = performance.now()
  try {
    await resizes()
    results.push({ name: 'resizes while runs go on', ok: true, detail: '', ms: performance.now() - started })
  } catch (error) {
    results.push({ name: 'resizes while runs go on', ok: false, detail: String(error), ms: performance.now() - started })
  }
  return results
}

main().then(
  (checks) => ((globalThis as SandboxedExecutorPage).checks = checks),
  (error: unknown) => ((globalThis as SandboxedExecutorPage).fatal = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error)),
)
