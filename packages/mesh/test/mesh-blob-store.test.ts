import * as Y from 'yjs'
import { asPeerId, MemoryBlobStore, MemoryNetwork, SwarmDoc } from '@tessera/core'
import { blobStoreChecks } from '@tessera/core/testing'
import { runContract } from '@tessera/core/testing/vitest'
import { BlobExchange, MeshBlobStore } from '@tessera/mesh'

// The swarm's view of blobs is a BlobStore like any other: one peer alone, whose
// every blob is its own, passes the same checks as the stores beneath it.
const CAP = 6 * 1024 * 1024
runContract('BlobStore contract: MeshBlobStore (over a MemoryBlobStore)', blobStoreChecks, async () => {
  const self = asPeerId('self')
  const local = new MemoryBlobStore({ maxBlobBytes: CAP })
  const exchange = new BlobExchange({ transport: new MemoryNetwork().join(self), serve: (address) => local.get(address), maxBlobBytes: CAP })
  const store = new MeshBlobStore({ local, exchange, swarm: new SwarmDoc(new Y.Doc()), self, linkedPeers: () => [], maxBlobBytes: CAP })
  return { store, maxBlobBytes: CAP }
})
