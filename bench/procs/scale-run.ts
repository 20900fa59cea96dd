// One simulated swarm run for bench/scale.ts, in a process of its own so that its
// memory is measured alone (run with --expose-gc). Prints one JSON line.
//   node --expose-gc --import tsx bench/procs/scale-run.ts <peers> <tasks> <seed>
import * as Y from 'yjs'
import { definePure, dropJob } from '@tessera/core'
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
const argsAddresses = new Set(job === undefined ? [] : [...job.tasks.keys()].flatMap((id) => index?.task(id)?.args ?? []))
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
    cacheEntries,
    valueEntries,
    liveContentBytes: parts,
    argsValueBytes,
  })}\n`,
)
process.exit(0)
