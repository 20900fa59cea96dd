import { MemoryDocStorage } from '../src/storage/memory-doc-storage.ts'
import { docStorageContract } from '@tessera/mesh/testing/contracts'

docStorageContract('MemoryDocStorage', async () => ({ storage: new MemoryDocStorage() }))
