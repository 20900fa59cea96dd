// One simulated swarm run for bench/scale.ts, in a process of its own so that its
// memory is measured alone (run with --expose-gc). Prints one JSON line.
//   node --expose-gc --import tsx bench/procs/scale-run.ts <peers> <tasks> <seed>
import * as Y from 'yjs'
import { compactCache, DEFAULT_COMPACTION_THRESHOLD, definePure, dropJob, taskKeyOf, addressOf, type PeerId } from '@tessera/core'
import { simulateJob } from '@tessera/core/testing'

const [peers, tasks, seed] = process.argv.slice(2).map(Number) as [number, number, number]
const gc = (globalThis as { gc?: () => void }).gc
const heap = (): number => {
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}

const square = definePure(({ x }: { x: number }) => x * x, { name: `square-${seed}` })
const argsList = Array.from({ length: tasks }, (_, x) => ({ x }))
const heapBefore = heap()
const t0 = performance.now()
const result = await simulateJob({
  seed,
  peers,
  fn: square,
  argsList,
  conditions: { minDelayMs: 2, maxDelayMs: 20, dropRate: 0.01, reorderRate: 0.02 },
  limitMs: 60 * 60_000,
})
const wallMs = performance.now() - t0
const heapAfter = heap()
const host = result.host
const index = host.jobs.get(result.job)
const job = index?.job
const swarmBytes = Y.encodeStateAsUpdate(host.swarm.doc).byteLength
const jobBytes = job === undefined ? 0 : Y.encodeStateAsUpdate(job.doc).byteLength
const cacheEntries = host.swarm.cache.size
const valueEntries = host.swarm.values.size
// The job's argument values: nothing refers to them once the job is dropped (cache keys are hashes).
const argsAddresses = new Set(job === undefined ? [] : [...(index?.taskIds() ?? [])].flatMap((id) => index?.task(id)?.args ?? []))
const argsDoc = new Y.Doc()
argsDoc.transact(() => {
  const copy = argsDoc.getMap('values')
  for (const address of argsAddresses) {
    const entry = host.swarm.values.get(address)
    if (entry !== undefined) copy.set(address, entry)
  }
})
const argsValueBytes = Y.encodeStateAsUpdate(argsDoc).byteLength
dropJob(host.swarm, result.job, job)
const swarmAfterDropBytes = Y.encodeStateAsUpdate(host.swarm.doc).byteLength
// What a host that keeps its data on disk (connect()'s default) does with the results within
// sealAfterMs (60 s) of the job: one compaction opens the next epoch, the next folds the sealed one
// into the cache tree. Run here directly, once the swarm has converged.
const compaction = { threshold: DEFAULT_COMPACTION_THRESHOLD, self: host.id, now: () => result.virtualMs, subjectOf: (peer: PeerId) => host.jobs.subjects.subjectOf(peer) }
const c0 = performance.now()
await compactCache(host.swarm, host.values.compacted.tree, compaction)
await compactCache(host.swarm, host.values.compacted.tree, { ...compaction, sealedOnly: true })
const compactMs = performance.now() - c0
const swarmAfterCompactionBytes = Y.encodeStateAsUpdate(host.swarm.doc).byteLength
// Every result still answers from the cache, the tree's nodes included.
let readable = 0
for (let x = 0; x < tasks; x += Math.max(1, Math.floor(tasks / 200))) {
  const entry = await host.values.compacted.cached(taskKeyOf(square.address, addressOf({ x })))
  if (entry?.kind === 'value' && (await host.values.get(entry.result)) === x * x) readable++
}
const sampled = Math.ceil(tasks / Math.max(1, Math.floor(tasks / 200)))
if (readable !== sampled) throw new Error(`after compaction, ${readable} of ${sampled} sampled results answered from the cache`)
// A joiner after the drop receives the swarm document alone; what it holds, by part.
const parts = Object.fromEntries(
  [...host.swarm.doc.share.keys()].map((name) => {
    const fresh = new Y.Doc()
    const type = host.swarm.doc.getMap(name)
    fresh.transact(() => {
      const copy = fresh.getMap(name)
      // A shard is a nested map, which belongs to its document: copied as plain JSON (byte arrays stay bytes).
      for (const [k, v] of type.entries()) copy.set(k, v instanceof Y.AbstractType ? plainOf(v) : v)
    })
    return [name, Y.encodeStateAsUpdate(fresh).byteLength]
  }),
)
function plainOf(type: Y.AbstractType<unknown>): unknown {
  if (!(type instanceof Y.Map)) return type.toJSON()
  return Object.fromEntries([...type.entries()].map(([k, v]) => [k, v instanceof Y.AbstractType ? plainOf(v) : v]))
}

process.stdout.write(
  `${JSON.stringify({
    peers,
    tasks,
    seed,
    wallMs,
    virtualMs: result.virtualMs,
    converged: true,
    heapBytesPerPeer: (heapAfter - heapBefore) / (peers + 1),
    heapAfterBytes: heapAfter,
    swarmBytes,
    jobBytes,
    peakBytes: swarmBytes + jobBytes,
    swarmAfterDropBytes,
    swarmAfterCompactionBytes,
    cacheEntriesAfterCompaction: host.swarm.cache.size,
    compactMs,
    cacheEntries,
    valueEntries,
    liveContentBytes: parts,
    argsValueBytes,
  })}\n`,
)
process.exit(0)
