/**
 * Figure 6, scale: the in-process simulated swarm (@tessera/core/testing: real
 * documents, replicator and donors on a seeded network), climbing a ladder of
 * sizes within the run's time budget. Each rung runs in a process of its own,
 * so its memory is measured alone.
 */
import { ChildScript } from './lib/child.ts'
import type { BenchOptions, BenchSection } from './lib/section.ts'
import { barChart } from './lib/svg-chart.ts'

interface Rung {
  readonly peers: number
  readonly tasks: number
  readonly wallMs: number
  readonly virtualMs: number
  readonly converged: boolean
  readonly heapBytesPerPeer: number
  readonly swarmBytes: number
  readonly jobBytes: number
  readonly peakBytes: number
  readonly swarmAfterDropBytes: number
  /** After the two compactions a host with a disk runs within `sealAfterMs` of the job. */
  readonly swarmAfterCompactionBytes: number
  readonly cacheEntriesAfterCompaction: number
  readonly compactMs: number
  readonly cacheEntries: number
  readonly valueEntries: number
  readonly liveContentBytes: Record<string, number>
  /** The dropped job's argument entries in the value index, encoded on their own. */
  readonly argsValueBytes: number
}

const GOAL = { peers: 1_000, tasks: 100_000 }
/** The full run's ladder: about 3 minutes on this 2-core machine (wall time grows with peers × tasks). */
const FULL_LADDER = [
  { peers: 50, tasks: 2_000 },
  { peers: 100, tasks: 5_000 },
  { peers: 200, tasks: 5_000 },
]
const QUICK_LADDER = [{ peers: 10, tasks: 200 }]
const RUNG_TIMEOUT_MS = 240_000
/** The section's share of the full run: a rung projected to overrun it is not started (200 × 5,000 takes about 160 s). */
const BUDGET_MS = 300_000

async function runRung(peers: number, tasks: number, seed: number): Promise<Rung> {
  const child = ChildScript.startWith(['--expose-gc', '--max-old-space-size=8192'], 'procs/scale-run.ts', [String(peers), String(tasks), String(seed)])
  try {
    return await child.next<Rung>(RUNG_TIMEOUT_MS)
  } finally {
    await child.stop()
  }
}

const mb = (bytes: number): number => bytes / 1e6

export async function runScaleBench(options: BenchOptions): Promise<BenchSection> {
  const ladder = options.quick ? QUICK_LADDER : FULL_LADDER
  const rungs: Rung[] = []
  const stopped: string[] = []
  const started = performance.now()
  for (const [i, { peers, tasks }] of ladder.entries()) {
    const last = rungs.at(-1)
    const projectedMs = last === undefined ? 0 : (last.wallMs * (peers + 1) * tasks) / ((last.peers + 1) * last.tasks)
    if (performance.now() - started + projectedMs > BUDGET_MS) {
      stopped.push(`${peers} peers × ${tasks} tasks not started: projected ${(projectedMs / 1000).toFixed(0)} s would overrun the section's ${BUDGET_MS / 1000} s budget`)
      break
    }
    try {
      rungs.push(await runRung(peers, tasks, 100 + i))
      if (options.verbose) console.log(`   scale: ${peers} peers × ${tasks} tasks converged in ${((rungs.at(-1)?.wallMs ?? 0) / 1000).toFixed(1)} s`)
    } catch (error) {
      stopped.push(`${peers} peers × ${tasks} tasks: ${(error as Error).message}`)
      break
    }
  }
  const first = rungs[0]
  const top = rungs.at(-1)
  if (first === undefined || top === undefined) throw new Error(`no rung of the scale ladder converged: ${stopped.join('; ')}`)
  const peerTasks = (r: { peers: number; tasks: number }): number => (r.peers + 1) * r.tasks
  const linearMs = (first.wallMs * peerTasks(top)) / peerTasks(first)
  const heapPerTask = top.heapBytesPerPeer / top.tasks
  const docPerTask = top.swarmAfterDropBytes / top.tasks
  const goalHours = (first.wallMs * peerTasks(GOAL)) / peerTasks(first) / 3.6e6
  const goalMemoryGB = (heapPerTask * GOAL.tasks * (GOAL.peers + 1)) / 1e9
  const why = [
    `Not run at ${GOAL.peers.toLocaleString('en')} peers × ${GOAL.tasks.toLocaleString('en')} tasks: every peer holds a full replica of the job and swarm documents, ${(heapPerTask / 1e3).toFixed(1)} KB of heap per task per peer here, so the goal would need about ${goalMemoryGB.toFixed(0)} GB in one process (the machine has 24 GiB), and the simulator runs every peer on one thread, so wall time grows with peers × tasks: about ${goalHours.toFixed(1)} h by the smallest rung's rate.`,
    `The largest that fits this run's budget is ${top.peers} peers × ${top.tasks.toLocaleString('en')} tasks.`,
  ].join(' ')
  const rows = rungs.map(
    (r) =>
      `| ${r.peers} | ${r.tasks.toLocaleString('en')} | ${(r.wallMs / 1000).toFixed(1)} | ${(r.virtualMs / 1000).toFixed(1)} | ${mb(r.heapBytesPerPeer).toFixed(1)} | ${mb(r.swarmBytes).toFixed(2)} | ${mb(r.jobBytes).toFixed(2)} | ${mb(r.swarmAfterDropBytes).toFixed(2)} | ${mb(r.swarmAfterCompactionBytes).toFixed(3)} |`,
  )
  return {
    id: 'scale',
    title: 'Scale (simulated swarm)',
    figures: [
      {
        id: 'scale.thousand-peers',
        title: `Simulated swarm converges: ${top.peers} peers × ${top.tasks.toLocaleString('en')} tasks (goal ${GOAL.peers.toLocaleString('en')} × ${GOAL.tasks.toLocaleString('en')})`,
        value: top.wallMs / 1000,
        unit: 's',
        baseline: { label: `linear in peers × tasks from the smallest rung (${first.peers} × ${first.tasks.toLocaleString('en')}: ${(first.wallMs / 1000).toFixed(1)} s)`, value: linearMs / 1000, unit: 's' },
        ratio: top.wallMs / linearMs,
        target: `converges at ${GOAL.peers.toLocaleString('en')} peers × ${GOAL.tasks.toLocaleString('en')} tasks (ratio 1 = linear scaling)`,
        met: top.converged && top.peers >= GOAL.peers && top.tasks >= GOAL.tasks,
        note: `Converged in ${(top.virtualMs / 1000).toFixed(1)} s of simulated time (tasks of 20–120 ms; 2–20 ms links, 1% loss, 2% reordering). ${why}${stopped.length > 0 ? ` Stopped: ${stopped.join('; ')}.` : ''}`,
      },
      {
        id: 'scale.memory-per-peer',
        title: `Memory per simulated peer (${top.peers} peers × ${top.tasks.toLocaleString('en')} tasks)`,
        value: mb(top.heapBytesPerPeer),
        unit: 'MB',
        baseline: { label: 'its documents, encoded (swarm + job at the peak)', value: mb(top.peakBytes), unit: 'MB' },
        ratio: top.heapBytesPerPeer / top.peakBytes,
        note: `Heap after convergence (after gc) less heap before, over peers + the host: ${(heapPerTask / 1e3).toFixed(1)} KB per task per peer, about ${(top.heapBytesPerPeer / top.peakBytes).toFixed(0)}× the encoded documents (Yjs keeps every item as an object, plus the donors' indexes).`,
      },
      {
        id: 'scale.doc-after-drop',
        title: `Swarm document after the finished job is dropped and its results compacted (${top.tasks.toLocaleString('en')} tasks)`,
        value: mb(top.swarmAfterCompactionBytes),
        unit: 'MB',
        baseline: { label: 'swarm + job documents at the peak', value: mb(top.peakBytes), unit: 'MB' },
        ratio: top.swarmAfterCompactionBytes / top.peakBytes,
        target: '< 1 MB after dropping',
        met: top.swarmAfterCompactionBytes < 1e6,
        note: `After \`dropJob\` on the host the swarm document holds ${mb(top.swarmAfterDropBytes).toFixed(2)} MB (${docPerTask.toFixed(0)} B per result: its cache entry and its value). A host that keeps its data on disk (\`connect()\`'s default) compacts: within \`sealAfterMs\` (60 s) of the job one compaction opens the next epoch and the next folds the sealed one into the cache tree, whatever comes after. Those two compactions, run here on the host once the swarm had converged (${(top.compactMs / 1000).toFixed(2)} s), leave ${mb(top.swarmAfterCompactionBytes).toFixed(3)} MB and ${top.cacheEntriesAfterCompaction} entries in the document (roots, epoch keys, certificates), and a sample of 200 results still answers from the cache through the tree's nodes. A swarm of tabs alone does not compact (a tab's nodes would leave with it): its document keeps the ${mb(top.swarmAfterDropBytes).toFixed(2)} MB.`,
      },
    ],
    markdown: [
      'Method: `simulateJob` from `@tessera/core/testing` (real Yjs documents, `DocReplicator`, `Donor` and scheduler on a seeded `SimulatedNetwork`, virtual time), one job of `square({x})` over distinct arguments, in a Node process of its own with `--expose-gc`. Sizes are `Y.encodeStateAsUpdate` of the host\'s documents; "after drop" is after `dropJob` on the host, "compacted" after the two compactions a host with a disk runs within a minute of the job.',
      '',
      '| peers | tasks | wall (s) | simulated (s) | heap per peer (MB) | swarm doc (MB) | job doc (MB) | swarm doc after drop (MB) | compacted (MB) |',
      '|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
      ...rows,
    ].join('\n'),
    charts: {
      'scale.svg': barChart({
        title: 'Simulated swarm: document sizes per rung',
        unit: 'MB',
        series: ['peak (swarm + job)', 'swarm after dropJob', 'and compacted'],
        groups: rungs.map((r) => ({ label: `${r.peers} peers × ${r.tasks}`, values: [mb(r.peakBytes), mb(r.swarmAfterDropBytes), mb(r.swarmAfterCompactionBytes)] })),
        reference: { value: 1, label: '1 MB' },
      }),
    },
    data: { goal: GOAL, ladder, rungs, stopped },
  }
}
