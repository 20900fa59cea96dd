/**
 * The contract checks of core's interfaces, one list per interface, written
 * without a test framework: `runContract` (`@tessera/core/testing/vitest`)
 * runs them under Vitest, `runChecks` in a browser page.
 */
export { runChecks, skipCheck, isCheckSkipped, ContractCheckError, CheckSkipped, type ContractCheck, type CheckResult } from './contract.ts'
export {
  assert,
  assertBytesEqual,
  assertEqual,
  assertRejects,
  assertSameMembers,
  assertThrows,
  assertUpdatesEqual,
  patternBytes,
  show,
  waitUntil,
} from './check-assert.ts'
export { blobStoreChecks, type BlobStoreFixture, type MakeBlobStore } from './blob-store-checks.ts'
export { executorChecks, overlappingRuns, type ExecutorFixture, type MakeExecutor } from './executor-checks.ts'
export { transportChecks, type TransportFixture, type MakeTransports } from './transport-checks.ts'
export { ed25519EngineChecks } from './ed25519-engine-checks.ts'
