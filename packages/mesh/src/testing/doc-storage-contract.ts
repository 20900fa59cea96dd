import { describe, it } from 'vitest'
import { blobStoreChecks, type MakeBlobStore } from './blob-store-checks.ts'
import { docStorageChecks, type MakeDocStorage } from './doc-storage-checks.ts'
import type { StorageCheck } from './storage-check.ts'

/**
 * The storage checks as Vitest suites, one `it` per check. Kept apart from the
 * checks themselves because browser pages import those and cannot load Vitest.
 */
export function describeChecks<Make>(title: string, checks: readonly StorageCheck<Make>[], make: Make): void {
  describe(title, () => {
    for (const check of checks) {
      it(check.name, async (context) => {
        if ((await check.run(make)) === 'skipped') context.skip()
      })
    }
  })
}

export function docStorageContract(name: string, make: MakeDocStorage): void {
  describeChecks(`DocStorage contract: ${name}`, docStorageChecks, make)
}

export function blobStoreChecksContract(name: string, make: MakeBlobStore): void {
  describeChecks(`BlobStore checks: ${name}`, blobStoreChecks, make)
}
