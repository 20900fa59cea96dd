/**
 * @packageDocumentation
 * `@tessera/core/testing/vitest`: the contract checks as Vitest suites. Kept
 * apart from `@tessera/core/testing` because browser pages import that and
 * cannot load Vitest.
 */
import { describe, it } from 'vitest'
import { isCheckSkipped, type ContractCheck } from './contracts/contract.ts'

/** One `describe` for the contract, one `it` per check; a check that skips itself shows as skipped. */
export function runContract<Setup>(title: string, checks: readonly ContractCheck<Setup>[], setup: Setup): void {
  describe(title, () => {
    for (const check of checks) {
      it(check.name, async (context) => {
        try {
          await check.run(setup)
        } catch (error) {
          if (isCheckSkipped(error)) context.skip(error.message)
          throw error
        }
      })
    }
  })
}
