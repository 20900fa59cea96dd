import { MemoryDocStorage } from '../src/storage/memory-doc-storage.ts'
import { runContract } from '@tessera/core/testing/vitest'
import { docStorageChecks } from '@tessera/mesh/testing'

runContract('DocStorage contract: MemoryDocStorage', docStorageChecks, async () => ({ storage: new MemoryDocStorage() }))
