/**
 * Futures as arguments (issue 18): how long a graph of 100,000 calls takes to
 * submit (`swarm.graph()`: build, then publish), against submitting as many
 * independent calls (`submitMany`) on the same host; and a chain of 1,000
 * trivial calls run on two donors over real signaling and WebRTC, per link,
 * against the 150 ms claim settle window each link would pay if every link
 * were claimed like a queued task.
 */
import type { TaskRef } from '@tessera/runtime'
import type { BenchOptions, BenchSection } from './lib/section.ts'
import { connectHost, freshRoom, salt, startBenchSignaling } from './lib/swarm-fixture.ts'

const SETTLE_WINDOW_MS = 150

export async function runGraphBench(options: BenchOptions): Promise<BenchSection> {
  const nodes = options.quick ? 2_000 : 100_000
  const width = options.quick ? 100 : 1_000
  const chainLength = options.quick ? 50 : 1_000
  const signaling = await startBenchSignaling()
  const room = freshRoom('graph')
  const host = await connectHost(signaling, room, 0)
  const donors: Array<Awaited<ReturnType<typeof connectHost>>> = []
  try {
    const tag = salt()
    const inc = host.pure(({ x }: { x: number }) => x + 1, { name: `inc-${tag}` })
    const add = host.pure(({ a, b }: { a: number; b: number }) => a + b, { name: `add-${tag}` })
    // The baseline: as many independent calls, published as one batch. No donor is in the room yet (they would share this
    // process and its core): this measures what the submitter does. CPU time too, since the machine is shared.
    const cpu = (): number => {
      const used = process.cpuUsage()
      return (used.user + used.system) / 1000
    }
    const p0 = performance.now()
    const pc = cpu()
    await inc.submitMany(Array.from({ length: nodes }, (_, x) => ({ x: -1 - x })))
    const plainMs = performance.now() - p0
    const plainCpuMs = cpu() - pc
    const gc = cpu()
    // Layers of `width` calls, each naming two calls of the layer before: numpywren-shaped, every node a dependency.
    const g0 = performance.now()
    const graph = host.graph()
    let layer: TaskRef[] = Array.from({ length: width }, (_, x) => graph.add(inc, { x }))
    while (graph.size < nodes) layer = layer.map((_, i) => graph.add(add, { a: layer[i] as TaskRef, b: layer[(i + 1) % width] as TaskRef }))
    const builtMs = performance.now() - g0
    await graph.submit()
    const graphMs = performance.now() - g0
    const graphCpuMs = cpu() - gc
    for (const id of host.jobs({ limit: 1_000 }).filter((j) => j.state === 'open').map((j) => j.id)) await host.stopJob(id)
    donors.push(await connectHost(signaling, room, 1), await connectHost(signaling, room, 1))

    const chain = host.graph()
    let last = chain.add(inc, { x: 1_000_000 })
    for (let i = 1; i < chainLength; i++) last = chain.add(inc, { x: last })
    await chain.submit()
    const c0 = performance.now()
    const value = await host.result<number>(last)
    const chainMs = performance.now() - c0
    if (value !== 1_000_000 + chainLength) throw new Error(`the chain gave ${value}, not ${1_000_000 + chainLength}`)
    const perLinkMs = chainMs / chainLength
    return {
      id: 'graph',
      title: 'Futures as arguments: graph submission and dependency chains',
      figures: [
        {
          id: 'graph.submit',
          title: `Submit a graph of ${nodes.toLocaleString('en')} calls (each names two of the layer before)`,
          value: graphMs / 1000,
          unit: 's',
          baseline: { label: `submitMany of ${nodes.toLocaleString('en')} independent calls`, value: plainMs / 1000, unit: 's' },
          ratio: graphMs / plainMs,
          target: '≤ 10 s ("in seconds")',
          met: graphMs <= 10_000,
          note: `building the graph (computing every key here) took ${(builtMs / 1000).toFixed(2)} s of it; CPU time ${(graphCpuMs / 1000).toFixed(2)} s, against ${(plainCpuMs / 1000).toFixed(2)} s for the baseline`,
        },
        {
          id: 'graph.chain-link',
          title: `Chain of ${chainLength.toLocaleString('en')} trivial calls on 2 donors, per link`,
          value: perLinkMs,
          unit: 'ms',
          baseline: { label: 'the claim settle window', value: SETTLE_WINDOW_MS, unit: 'ms' },
          ratio: perLinkMs / SETTLE_WINDOW_MS,
          target: '< 1× the settle window',
          met: perLinkMs < SETTLE_WINDOW_MS,
          note: `${(chainMs / 1000).toFixed(2)} s in all: the donor that finishes a link claims and runs the next at once (its hand-off)`,
        },
      ],
      data: { nodes, width, plainMs, plainCpuMs, builtMs, graphMs, graphCpuMs, chainLength, chainMs },
    }
  } finally {
    for (const swarm of [host, ...donors]) await swarm.close()
    await signaling.close()
  }
}
