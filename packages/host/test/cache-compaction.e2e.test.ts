import { describe, expect, it } from 'vitest'
import { MemoryExecutor } from '@tessera/core'
import { compactionOf } from '../src/connect.ts'
import { useTestHosts } from './support/test-hosts.ts'

const hosts = useTestHosts()

const cube = ({ x }: { x: number }) => x * x * x
const N = 400
const THRESHOLD = 60
/** The first batch: more than the threshold, so that its epoch is sealed. */
const FIRST = 300
const args = Array.from({ length: N }, (_, x) => ({ x }))

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('a connect() host compacts the swarm cache into the cache tree', () => {
  it('by default when it keeps its data on disk, not in memory alone, and never when told not to', () => {
    expect(compactionOf(undefined, true)).toEqual({ compactCache: {} })
    expect(compactionOf(undefined, false)).toEqual({})
    expect(compactionOf(false, true)).toEqual({})
    expect(compactionOf(true, false)).toEqual({ compactCache: {} })
    expect(compactionOf({ threshold: 10 }, false)).toEqual({ compactCache: { threshold: 10 } })
  })

  it('over a real mesh: the document sheds the entries, and a fresh host reads every result from the tree', async () => {
    const room = 'compaction'
    const a = await hosts.host({ room, cacheDir: await hosts.dataDir(), workers: 2, executor: new MemoryExecutor(), adaptive: false, compactCache: { threshold: THRESHOLD, checkEveryMs: 200, staggerMs: 100 } })
    const f = a.pure(cube, { name: 'cube' })
    // A compaction folds the epochs before the live one, which it then moves on: the first batch fills epoch 0,
    // whose entries go into the tree once the next epoch has filled too.
    expect(await f.parallel(args.slice(0, FIRST))).toEqual(args.slice(0, FIRST).map(cube))
    await until('the first epoch sealed', () => a.peer.swarm.liveEpoch() > 0, 30_000)
    expect(await f.parallel(args.slice(FIRST))).toEqual(args.slice(FIRST).map(cube))
    await until('a cache tree root and a small document', () => a.peer.swarm.cacheRoots.size > 0 && a.peer.swarm.cache.size < FIRST, 30_000)
    const inDocument = a.peer.swarm.cache.size
    console.log(`[compaction] ${N} results, threshold ${THRESHOLD}: ${inDocument} entries left in the swarm document, ${a.peer.swarm.cacheRoots.size} root record(s)`)

    // A fresh host with no disk and no workers: every result must come from the document or the tree (fetched from a).
    const b = await hosts.host({ room, cacheDir: false, workers: 0, adaptive: false })
    let cached = 0
    const results = await b.pure(cube, { name: 'cube' }).parallel(args, { onProgress: (p) => (cached = p.cached) })
    expect(results).toEqual(args.map(cube))
    expect(cached).toBe(N)
    expect(inDocument).toBeLessThan(N)
  })
})
