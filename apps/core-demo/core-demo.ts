/**
 * The core model at work, part of `npm start`: pure functions memoized on this
 * machine, then a 1,000-task job on a simulated swarm of 20 peers on a lossy
 * network, a fifth of which die mid-task.
 */
import {
  definePure,
  MemoizedRunner,
  MemoryBlobStore,
  MemoryExecutor,
  MemoryResultCache,
  taskPhase,
  decodeCanonical,
} from '@tessera/core'
import { simulateJob } from '@tessera/core/testing'

const collatzSteps = definePure(
  ({ n }: { n: number }) => {
    let steps = 0
    for (let x = n; x !== 1; steps++) x = x % 2 === 0 ? x / 2 : 3 * x + 1
    return steps
  },
  { name: 'collatzSteps' },
)
const countPrimes = definePure(
  ({ below }: { below: number }) => {
    const composite = new Uint8Array(below)
    let count = 0
    for (let i = 2; i < below; i++) {
      if (composite[i] === 1) continue
      count++
      for (let j = i * i; j < below; j += i) composite[j] = 1
    }
    return count
  },
  { name: 'countPrimes' },
)
const safeSqrt = definePure(
  ({ x }: { x: number }) => {
    if (x < 0) throw new RangeError(`no real square root of ${x}`)
    return Math.sqrt(x)
  },
  { name: 'safeSqrt' },
)

const ms = (since: number): string => `${(performance.now() - since).toFixed(2)} ms`

export async function memoizedCalls(): Promise<void> {
  console.log('\n2. Memoized pure functions on this machine')
  console.log(`   countPrimes has address ${countPrimes.address}`)
  const runner = new MemoizedRunner({ cache: new MemoryResultCache(), blobs: new MemoryBlobStore(), executor: new MemoryExecutor() })
  let t = performance.now()
  const first = await runner.call(countPrimes, { below: 20_000_000 })
  console.log(`   countPrimes({ below: 20000000 }) = ${first}   computed in ${ms(t)}`)
  const hits = 1_000
  t = performance.now()
  for (let i = 0; i < hits; i++) await runner.call(countPrimes, { below: 20_000_000 })
  console.log(`   the same call ${hits} more times, from the cache: ${((performance.now() - t) / hits * 1000).toFixed(0)} µs each`)
  for (let i = 0; i < 2; i++) {
    const error = await runner.call(safeSqrt, { x: -1 }).catch((e: unknown) => e as Error)
    console.log(`   safeSqrt({ x: -1 }) threw ${(error as Error).name}: ${(error as Error).message}${i === 1 ? '   (cached failure)' : ''}`)
  }
  try {
    ;(runner.call as (...args: unknown[]) => unknown)(countPrimes, 27)
  } catch (error) {
    console.log(`   countPrimes(27) is refused at the call site: ${(error as Error).message}`)
  }
}

export async function simulatedSwarm(): Promise<void> {
  console.log('\n3. A 1,000-task job on a simulated swarm: 20 peers, 2% message loss, 4 peers die mid-task')
  const argsList = Array.from({ length: 1_000 }, (_, i) => ({ n: i + 1 }))
  const t = performance.now()
  const result = await simulateJob({ seed: 2026, peers: 20, fn: collatzSteps, argsList, dyingFraction: 0.2, job: { leaseMs: 3_000 } })
  const view = result.host.jobs.get(result.job)
  if (view === undefined) throw new Error('the host lost its job')
  let correct = 0
  let longest = { n: 0, steps: -1 }
  for (let i = 0; i < argsList.length; i++) {
    const phase = taskPhase(view, String(i), Number.POSITIVE_INFINITY)
    if (phase.phase !== 'done' || phase.outcome.kind !== 'value') continue
    const inline = result.host.swarm.value(phase.outcome.result)?.inline
    const steps = inline === undefined ? undefined : (decodeCanonical(inline) as number)
    if (steps === collatzSteps.fn({ n: i + 1 })) correct++
    if (steps !== undefined && steps > longest.steps) longest = { n: i + 1, steps }
  }
  const runs = result.donors.reduce((sum, d) => sum + (d.donor?.runs ?? 0), 0)
  console.log(`   ${correct}/1000 results correct; ${result.deaths} peers died; ${runs} runs in all (backups and re-runs included)`)
  console.log(`   finished in ${(result.virtualMs / 1000).toFixed(1)} s of simulated time (${ms(t)} of real time)`)
  console.log(`   the longest chain below 1001 starts at ${longest.n}: ${longest.steps} steps`)
  console.log(`   ${result.host.swarm.cache.size} results are now cached for every peer, forever`)
  if (correct !== argsList.length) throw new Error('some results were missing or wrong')
}

