import * as prng from 'lib0/prng'
import { asPeerId, MemoryBlobStore, MemoryExecutor, MemoryNetwork } from '@tessera/core'
import { blobStoreChecks, executorChecks, SimClock, SimExecutor, SimulatedNetwork, transportChecks } from '@tessera/core/testing'
import { runContract } from '@tessera/core/testing/vitest'

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await null
}

runContract('Transport contract: MemoryNetwork', transportChecks, async () => {
  const network = new MemoryNetwork()
  const peers = [network.join(asPeerId('a')), network.join(asPeerId('b')), network.join(asPeerId('c'))] as const
  return { peers, flush: settle }
})

runContract('Transport contract: SimulatedNetwork (lossless, delayed, reordering)', transportChecks, async () => {
  const clock = new SimClock()
  const network = new SimulatedNetwork(clock, prng.create(7), { minDelayMs: 1, maxDelayMs: 30, dropRate: 0, reorderRate: 0.5 })
  const peers = [network.join(asPeerId('a')), network.join(asPeerId('b')), network.join(asPeerId('c'))] as const
  // A virtual second per flush: far longer than any delay, so a check rarely needs a second one.
  const flush = async (): Promise<void> => {
    const until = clock.now() + 1_000
    clock.setTimeout(() => {}, 1_000)
    await clock.runUntil(() => clock.now() >= until, until)
  }
  return { peers, flush }
})

// A cap above the 5 MB check's blob, so that check runs at full size here too.
const MEMORY_CAP = 6 * 1024 * 1024
runContract('BlobStore contract: MemoryBlobStore', blobStoreChecks, async () => ({ store: new MemoryBlobStore({ maxBlobBytes: MEMORY_CAP }), maxBlobBytes: MEMORY_CAP }))

runContract('Executor contract: MemoryExecutor', executorChecks, async () => ({ executor: new MemoryExecutor(), stopsBusyLoops: false }))

runContract('Executor contract: SimExecutor', executorChecks, async () => {
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
