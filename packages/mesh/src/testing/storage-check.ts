/**
 * One named check of a storage adapter, runnable with or without a test
 * framework: `run` throws on failure and says `'skipped'` when the adapter
 * lacks what the check needs.
 */
export interface StorageCheck<Make> {
  readonly name: string
  run(make: Make): Promise<'passed' | 'skipped'>
}

export interface CheckResult {
  readonly name: string
  readonly outcome: 'passed' | 'skipped' | 'failed'
  readonly error?: string
  readonly ms: number
}

/** Runs every check in turn, for browser pages that report results without Vitest. */
export async function runChecks<Make>(checks: readonly StorageCheck<Make>[], make: Make): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const check of checks) {
    const start = performance.now()
    try {
      const outcome = await check.run(make)
      results.push({ name: check.name, outcome, ms: performance.now() - start })
    } catch (error) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      results.push({ name: check.name, outcome: 'failed', error: text, ms: performance.now() - start })
    }
  }
  return results
}
