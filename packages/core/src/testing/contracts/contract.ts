/**
 * The one form of Tessera's contract tests: a list of named async checks per
 * interface, written once without a test framework, so that Vitest in Node
 * (through `runContract` in ./vitest.ts) and bare browser pages (through
 * `runChecks`) run the very same checks.
 *
 * A check gets a `setup` (usually a function that makes a fresh adapter),
 * throws `ContractCheckError` when the adapter misbehaves, and calls
 * `skipCheck` when the adapter lacks what the check needs.
 */
export interface ContractCheck<Setup> {
  readonly name: string
  run(setup: Setup): Promise<void>
}

/** How one check went, as a browser page reports it to the Playwright test. */
export interface CheckResult {
  readonly name: string
  readonly outcome: 'passed' | 'skipped' | 'failed'
  /** Why it failed or was skipped. */
  readonly error?: string
  readonly ms: number
}

/** An adapter broke its contract. Named, so the name survives a trip out of a page. */
export class ContractCheckError extends Error {
  override name = 'ContractCheckError'
}

/** Thrown by `skipCheck`: the adapter under test lacks what this check needs. */
export class CheckSkipped extends Error {
  override name = 'CheckSkipped'
}

/** Ends the current check as skipped. */
export function skipCheck(reason: string): never {
  throw new CheckSkipped(reason)
}

/** Tells a skip apart from a failure by name, so it works across module copies and realms. */
export function isCheckSkipped(error: unknown): error is CheckSkipped {
  return (error as { name?: unknown } | null)?.name === 'CheckSkipped'
}

/** Runs every check in turn, for browser pages that report results without Vitest. */
export async function runChecks<Setup>(checks: readonly ContractCheck<Setup>[], setup: Setup): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const check of checks) {
    const start = performance.now()
    try {
      await check.run(setup)
      results.push({ name: check.name, outcome: 'passed', ms: performance.now() - start })
    } catch (error) {
      const outcome = isCheckSkipped(error) ? 'skipped' : 'failed'
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      results.push({ name: check.name, outcome, error: text, ms: performance.now() - start })
    }
  }
  return results
}
