import * as prng from 'lib0/prng'
import {
  asPeerId,
  MemoryBlobStore,
  MemoryExecutor,
  MemoryNetwork,
} from '@tessera/core'
import { SimClock, SimExecutor, SimulatedNetwork } from '@tessera/core/testing'
import {
  runBlobStoreContract,
  runExecutorContract,
  runTransportContract,
} from '@tessera/core/testing/contracts'

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await null
}

runTransportContract('MemoryNetwork', async () => {
  const network = new MemoryNetwork()
  const peers = [network.join(asPeerId('a')), network.join(asPeerId('b')), network.join(asPeerId('c'))] as const
  return { peers, flush: settle }
})

runTransportContract('SimulatedNetwork (lossless, delayed, reordering)', async () => {
  const clock = new SimClock()
  const network = new SimulatedNetwork(clock, prng.create(7), { minDelayMs: 1, maxDelayMs: 30, dropRate: 0, reorderRate: 0.5 })
  const peers = [network.join(asPeerId('a')), network.join(asPeerId('b')), network.join(asPeerId('c'))] as const
  const flush = async (): Promise<void> => {
    const until = clock.now() + 1_000
    clock.setTimeout(() => {}, 1_000)
    await clock.runUntil(() => clock.now() >= until, until)
  }
  return { peers, flush }
})

runBlobStoreContract('MemoryBlobStore', async () => ({ store: new MemoryBlobStore({ maxBlobBytes: 4096 }), maxBlobBytes: 4096 }))

runExecutorContract('MemoryExecutor', async () => {
  const executor = new MemoryExecutor()
  return { executor, run: (work) => work, stopsBusyLoops: false, teardown: () => executor.close() }
})

runExecutorContract('SimExecutor', async () => {
  const clock = new SimClock()
  const executor = new SimExecutor({ clock, duration: () => 100 })
  const run = async <T>(work: Promise<T>): Promise<T> => {
    let settled = false
    const tracked = work.finally(() => (settled = true))
    // Keeps time moving until the run is over, however long it takes in virtual time.
    const tick = (): void => {
      if (!settled) clock.setTimeout(tick, 10)
    }
    tick()
    await clock.runUntil(() => settled, 60_000)
    return tracked
  }
  return { executor, run, stopsBusyLoops: false }
})

