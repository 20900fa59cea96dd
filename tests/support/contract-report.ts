import type { CheckResult, ContractCheck } from '@tessera/core/testing'
import { expect } from 'vitest'

/**
 * Asserts that a page ran every check of a contract, in order, and that each
 * passed; a failure shows the check's name and the page's error message.
 */
export function expectEveryCheckPassed(checks: readonly Pick<ContractCheck<never>, 'name'>[], results: readonly CheckResult[] | undefined): void {
  const reported = (results ?? []).map(({ name, outcome, error }) => ({ name, outcome, error }))
  expect(reported).toEqual(checks.map(({ name }) => ({ name, outcome: 'passed', error: undefined })))
}
