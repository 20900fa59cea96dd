import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { asPeerId, DocReplicator, MemoryNetwork, systemClock, type PeerId } from '@tessera/core'

const settle = async (): Promise<void> => {
  for (let i = 0; i < 4; i++) await new Promise((resolve) => setTimeout(resolve, 30))
}

describe('DocReplicator onSynced', () => {
  it('reports a whole sync reply once it is applied: a joiner then holds what its neighbour had', async () => {
    const network = new MemoryNetwork()
    const old = new Y.Doc({ guid: 'swarm' })
    for (let i = 0; i < 3_000; i++) old.getMap('cache').set(`k${i}`, i)
    new DocReplicator({ transport: network.join(asPeerId('old')), clock: systemClock, syncIntervalMs: 0 }).add(old)

    const joiner = new Y.Doc({ guid: 'swarm' })
    const synced: Array<{ peer: PeerId; guid: string; entries: number }> = []
    const replicator = new DocReplicator({
      transport: network.join(asPeerId('new')),
      clock: systemClock,
      syncIntervalMs: 0,
      onSynced: (peer, guid) => synced.push({ peer, guid, entries: joiner.getMap('cache').size }),
    })
    replicator.add(joiner)
    await settle()
    expect(synced[0]).toEqual({ peer: 'old', guid: 'swarm', entries: 3_000 })
    replicator.close()
  })
})
