/**
 * What the donor sandbox costs (issue 13: at most 10% of dispatch throughput).
 * A Node host with no workers submits to ONE Node donor with one worker, over
 * real signaling and real WebRTC; the donor runs either on the isolate sandbox
 * (`connect({ workers: 1 })`, as every volunteer does) or on the plain
 * worker_threads it replaced (`executor: new ThreadExecutor({ workers: 1 })`).
 * Also, no swarm: the two executors side by side in this process.
 */
import os from 'node:os'
import type { Swarm } from '@tessera/host'
import { churn, calibrate } from './efficiency.ts'
import { ChildScript } from './lib/child.ts'
import { timeExecutor, type ExecutorKind, type ExecutorTimings } from './lib/executor-latency.ts'
import type { BenchFigure, BenchOptions, BenchSection } from './lib/section.ts'
import { atLeast, waitUntil } from './lib/stats.ts'
import { barChart } from './lib/svg-chart.ts'
import { connectHost, freshRoom, salt, startBenchSignaling } from './lib/swarm-fixture.ts'
import type { SignalingServer } from '@tessera/signaling'

/**
 * Thread, isolate, isolate, thread, then the mirror image: each kind's runs sit at the same
 * mean position, so the mean of each cancels a steady drift in the machine's load, and
 * four runs of each damp the swings of a shared machine.
 */
const ORDER: readonly ExecutorKind[] = ['thread', 'isolate', 'isolate', 'thread', 'isolate', 'thread', 'thread', 'isolate']
const QUICK_ORDER: readonly ExecutorKind[] = ['thread', 'isolate']
const EXECUTOR_ORDER: readonly ExecutorKind[] = ['thread', 'isolate', 'thread', 'isolate']
const TARGET = 0.9

interface Sizes {
  readonly trivialTasks: number
  readonly cpuTasks: number
  readonly cpuTaskMs: number
}

interface Round {
  readonly kind: ExecutorKind
  readonly trivialMs: number
  readonly cpuMs: number
  /** CPU the donor's process used for each job (main thread, worker thread or isolate). */
  readonly donorTrivialCpuMs: number
  readonly donorCpuJobCpuMs: number
  readonly executed: number
  readonly loadAverage: number
}

interface DonorStatus {
  readonly executed: number
  readonly cpuMs: number
}

/** One round: a fresh room, a fresh submitting host and one fresh donor process of the given kind. */
async function runRound(signaling: SignalingServer, room: string, donor: ChildScript, kind: ExecutorKind, sizes: Sizes, n: number, verbose: boolean): Promise<Round> {
  const host = await connectHost(signaling, room, 0)
  try {
    await donor.ask('connect')
    await waitUntil(`the ${kind} donor in presence`, () => host.status().workers >= 1, 30_000)
    const tag = salt()
    // Warm-up: links, the donor's JIT and its worker, outside the timed jobs.
    await host.pure(({ x }: { x: number }) => x * x, { name: `warm-${tag}` }).parallel(Array.from({ length: 50 }, (_, x) => ({ x })))
    await host.pure(churn, { name: `warm-churn-${tag}` }).parallel([{ n: Math.round(n / 10), seed: 1 }])
    const loadAverage = os.loadavg()[0] ?? 0
    const before = await donor.ask<DonorStatus>('status')

    const square = host.pure(({ x }: { x: number }) => x * x, { name: `square-${kind}-${tag}` })
    const args = Array.from({ length: sizes.trivialTasks }, (_, x) => ({ x }))
    let t0 = performance.now()
    const squares = await square.parallel(args)
    const trivialMs = performance.now() - t0
    if (squares.some((value, x) => value !== x * x)) throw new Error(`the ${kind} donor returned a wrong square`)
    const middle = await donor.ask<DonorStatus>('status')

    const mix = host.pure(churn, { name: `churn-${kind}-${tag}`, leaseMs: 10_000 })
    const cpuArgs = Array.from({ length: sizes.cpuTasks }, (_, i) => ({ n, seed: i + 1 }))
    t0 = performance.now()
    const mixed = await mix.parallel(cpuArgs)
    const cpuMs = performance.now() - t0
    if (mixed[0] !== churn(cpuArgs[0] as { n: number; seed: number })) throw new Error(`the ${kind} donor returned a wrong result`)
    const after = await donor.ask<DonorStatus>('status')
    const round: Round = {
      kind,
      trivialMs,
      cpuMs,
      donorTrivialCpuMs: middle.cpuMs - before.cpuMs,
      donorCpuJobCpuMs: after.cpuMs - middle.cpuMs,
      executed: after.executed - before.executed,
      loadAverage,
    }
    if (verbose) console.log(`   sandbox: ${kind}: ${rate(sizes.trivialTasks, trivialMs).toFixed(0)} trivial tasks/s, ${rate(sizes.cpuTasks, cpuMs).toFixed(1)} CPU-bound tasks/s (load ${loadAverage.toFixed(2)})`)
    return round
  } finally {
    await donor.stop()
    await host.close()
  }
}

const rate = (tasks: number, ms: number): number => (tasks * 1000) / ms
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length
const ms = (value: number): string => `${value.toFixed(value < 1 ? 3 : 0)} ms`

function meanOf(rounds: readonly Round[], kind: ExecutorKind, pick: (r: Round) => number): number {
  return mean(rounds.filter((r) => r.kind === kind).map(pick))
}

function executorFigure(timings: readonly ExecutorTimings[], busyMs: number): BenchFigure {
  const of = (kind: ExecutorKind, pick: (t: ExecutorTimings) => number): number => mean(timings.filter((t) => t.kind === kind).map(pick))
  const range = (kind: ExecutorKind, pick: (t: ExecutorTimings) => number, format: (v: number) => string): string => {
    const values = timings.filter((t) => t.kind === kind).map(pick)
    return `${format(Math.min(...values))}–${format(Math.max(...values))}`
  }
  const isolateRate = of('isolate', (t) => t.inFlightPerSecond)
  const threadRate = of('thread', (t) => t.inFlightPerSecond)
  return {
    id: 'sandbox.executor',
    title: 'Executor alone, 1 worker, trivial tasks all in flight: isolate vs worker_threads',
    value: isolateRate,
    unit: 'tasks/s',
    baseline: { label: 'ThreadExecutor, 1 worker, the same tasks (mean of 2 runs)', value: threadRate, unit: 'tasks/s' },
    ratio: isolateRate / threadRate,
    note: [
      `No swarm: each executor in the bench process, runs alternating thread, isolate, thread, isolate; ranges are over the two runs of each.`,
      `A trivial task awaited one at a time: ${range('thread', (t) => t.sequentialMs, ms)} on a thread, ${range('isolate', (t) => t.sequentialMs, ms)} in an isolate.`,
      `In flight: ${range('thread', (t) => t.inFlightPerSecond, (v) => v.toFixed(0))} tasks/s on a thread, ${range('isolate', (t) => t.inFlightPerSecond, (v) => v.toFixed(0))} in an isolate (arguments and results are copied in and out of the isolate).`,
      `A ${busyMs} ms busy task, queued: ${range('thread', (t) => t.busyTaskMs, (v) => v.toFixed(1))} ms each on a thread, ${range('isolate', (t) => t.busyTaskMs, (v) => v.toFixed(1))} ms in an isolate.`,
    ].join(' '),
  }
}

export async function runSandboxBench(options: BenchOptions): Promise<BenchSection> {
  const sizes: Sizes = options.quick ? { trivialTasks: 200, cpuTasks: 6, cpuTaskMs: 5 } : { trivialTasks: 5_000, cpuTasks: 200, cpuTaskMs: 20 }
  const executorSizes = options.quick ? { sequential: 20, inFlight: 200, busyTasks: 2, busyMs: 10 } : { sequential: 1_000, inFlight: 4_000, busyTasks: 20, busyMs: 50 }
  const order = options.quick ? QUICK_ORDER : ORDER
  const signaling = await startBenchSignaling()
  const rooms = order.map((kind) => freshRoom(`sandbox-${kind}`))
  // Every donor process starts now and waits, so no Node start-up runs during a timed job.
  const donors = order.map((kind, i) => ChildScript.start('procs/donor.ts', [signaling.url, rooms[i] as string, '--wait', ...(kind === 'thread' ? ['--threads'] : [])]))
  try {
    await Promise.all(donors.map((d) => d.next()))
    const tag = salt()
    const timings: ExecutorTimings[] = []
    for (const kind of options.quick ? QUICK_ORDER : EXECUTOR_ORDER) timings.push(await timeExecutor(kind, executorSizes, tag))
    // Calibrated now, after the start-ups: a calibration under their load would make the tasks too short.
    const n = calibrate(sizes.cpuTaskMs)
    const rounds: Round[] = []
    for (const [i, kind] of order.entries()) rounds.push(await runRound(signaling, rooms[i] as string, donors[i] as ChildScript, kind, sizes, n, options.verbose))
    for (const r of rounds) {
      if (r.executed < sizes.trivialTasks + sizes.cpuTasks) throw new Error(`the ${r.kind} donor ran ${r.executed} of ${sizes.trivialTasks + sizes.cpuTasks} tasks: another peer took some`)
    }

    const trivial = (kind: ExecutorKind): number => rate(sizes.trivialTasks, meanOf(rounds, kind, (r) => r.trivialMs))
    const cpu = (kind: ExecutorKind): number => rate(sizes.cpuTasks, meanOf(rounds, kind, (r) => r.cpuMs))
    const dispatchRatio = trivial('isolate') / trivial('thread')
    const cpuRatio = cpu('isolate') / cpu('thread')
    const perTaskCpuUs = (kind: ExecutorKind, pick: (r: Round) => number, tasks: number): number => (meanOf(rounds, kind, pick) * 1000) / tasks
    const roundsText = rounds.map((r) => `${r.kind} ${rate(sizes.trivialTasks, r.trivialMs).toFixed(0)}`).join(', ')
    const loads = rounds.map((r) => r.loadAverage.toFixed(2)).join(', ')
    const spread = (kind: ExecutorKind): number => {
      const values = rounds.filter((r) => r.kind === kind).map((r) => r.trivialMs)
      return (Math.max(...values) - Math.min(...values)) / mean(values)
    }
    const noisy = Math.max(spread('thread'), spread('isolate')) > Math.abs(1 - dispatchRatio)
    const executorLevel = executorFigure(timings, executorSizes.busyMs)
    return {
      id: 'sandbox',
      title: 'Donor sandbox overhead',
      figures: [
        {
          id: 'sandbox.dispatch',
          title: `${sizes.trivialTasks.toLocaleString('en')} trivial tasks through the swarm, 1 Node donor: isolate sandbox vs worker_threads`,
          value: trivial('isolate'),
          unit: 'tasks/s',
          baseline: { label: `the same donor on ThreadExecutor (no sandbox), mean of ${order.length / 2} run(s)`, value: trivial('thread'), unit: 'tasks/s' },
          ratio: dispatchRatio,
          target: `≥ ${TARGET} (the sandbox costs at most 10%)`,
          met: atLeast(dispatchRatio, TARGET),
          note: [
            `Each run in order, tasks/s: ${roundsText}; the 1-minute load average as each began: ${loads} (2 cores).`,
            `The donor's process used ${perTaskCpuUs('thread', (r) => r.donorTrivialCpuMs, sizes.trivialTasks).toFixed(0)} µs of CPU per task on threads and ${perTaskCpuUs('isolate', (r) => r.donorTrivialCpuMs, sizes.trivialTasks).toFixed(0)} µs in the sandbox (claims, reports, document updates and the task itself).`,
            noisy ? `The runs of one kind differ by more than the difference between kinds: this run cannot tell them apart beyond its noise.` : '',
          ]
            .filter(Boolean)
            .join(' '),
        },
        {
          id: 'sandbox.cpu',
          title: `${sizes.cpuTasks} CPU-bound ~${sizes.cpuTaskMs} ms tasks through the swarm, 1 Node donor: isolate sandbox vs worker_threads`,
          value: cpu('isolate'),
          unit: 'tasks/s',
          baseline: { label: 'the same donor on ThreadExecutor, mean of the same runs', value: cpu('thread'), unit: 'tasks/s' },
          ratio: cpuRatio,
          target: `≥ ${TARGET}`,
          met: atLeast(cpuRatio, TARGET),
          note: `Pure compute by the calibration ≈ ${((sizes.cpuTasks * sizes.cpuTaskMs) / 1000).toFixed(1)} s per run (it is shorter when other load slowed the calibration); runs took ${rounds.map((r) => `${r.kind} ${(r.cpuMs / 1000).toFixed(2)} s`).join(', ')}. The donor's process used ${perTaskCpuUs('thread', (r) => r.donorCpuJobCpuMs, sizes.cpuTasks).toFixed(0)} µs of CPU per task on threads and ${perTaskCpuUs('isolate', (r) => r.donorCpuJobCpuMs, sizes.cpuTasks).toFixed(0)} µs in the sandbox.`,
        },
        executorLevel,
      ],
      markdown: `Method: ${order.length} runs in the order ${order.join(', ')}. Each run has a fresh room, a fresh submitting host (\`connect({ workers: 0 })\` in the bench process) and a fresh donor process (\`bench/procs/donor.ts\`, started before the first run and joined when its run begins), linked over a real signaling server and real WebRTC. The donor is \`connect({ workers: 1 })\`, which runs tasks in an isolated-vm isolate, or the same with \`executor: new ThreadExecutor({ workers: 1 })\` (\`--threads\`). Each run first does a 50-task warm-up, then the timed jobs: ${sizes.trivialTasks.toLocaleString('en')} \`({ x }) => x * x\`, then ${sizes.cpuTasks} integer-mixing tasks of ${n.toLocaleString('en')} iterations (≈ ${sizes.cpuTaskMs} ms here); every function name is fresh, so nothing is cached. Each kind's figure is its task count over the mean of its runs' wall times.`,
      charts: {
        'sandbox.svg': barChart({
          title: 'One Node donor, 1 worker: throughput through the swarm',
          unit: 'tasks/s',
          series: ['worker_threads (no sandbox)', 'isolate sandbox'],
          groups: [
            { label: `${sizes.trivialTasks.toLocaleString('en')} trivial tasks`, values: [trivial('thread'), trivial('isolate')] },
            { label: `${sizes.cpuTasks} × ~${sizes.cpuTaskMs} ms tasks`, values: [cpu('thread'), cpu('isolate')] },
            { label: 'executor alone, trivial, in flight', values: [executorLevel.baseline?.value ?? Number.NaN, executorLevel.value] },
          ],
          log: true,
        }),
      },
      data: { sizes, iterations: n, order, rounds, executorSizes, executorTimings: timings },
    }
  } finally {
    await Promise.all(donors.map((d) => d.stop()))
    await signaling.close()
  }
}
