/**
 * @packageDocumentation
 * The shared contract tests: every adapter of a core interface runs the one
 * suite for that interface (they use Vitest).
 */
export { runTransportContract, type TransportFixture } from './transport-contract.ts'
export { runBlobStoreContract, type BlobStoreFixture } from './blob-store-contract.ts'
export { runExecutorContract, type ExecutorFixture } from './executor-contract.ts'
