/**
 * @packageDocumentation
 * `@tessera/mesh/testing`: the storage checks every `DocStorage` and `BlobStore`
 * adapter passes, as framework-free async checks so browser pages can run them.
 * The Vitest wrappers (`docStorageContract`) live in doc-storage-contract.ts,
 * which this barrel leaves out because pages cannot load Vitest.
 */
export { docStorageChecks, type DocStorageFixture, type MakeDocStorage } from './doc-storage-checks.ts'
export { blobStoreChecks, type BlobStoreCheckFixture, type MakeBlobStore } from './blob-store-checks.ts'
export { runChecks, type StorageCheck, type CheckResult } from './storage-check.ts'
export { fillLargeDoc, largeDocFingerprint, LARGE_DOC_BYTES } from './large-doc.ts'
