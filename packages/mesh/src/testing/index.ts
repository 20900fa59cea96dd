/**
 * @packageDocumentation
 * `@tessera/mesh/testing`: the checks every `DocStorage` adapter passes, in
 * core's contract form (`ContractCheck`), so Vitest (`runContract` from
 * `@tessera/core/testing/vitest`) and browser pages run the same list; and a
 * large document for the sync tests.
 */
export { docStorageChecks, type DocStorageFixture, type MakeDocStorage } from './doc-storage-checks.ts'
export { fillLargeDoc, largeDocFingerprint, LARGE_DOC_BYTES } from './large-doc.ts'
