/**
 * Figure 1, dispatch throughput: 20,000 trivial tasks through the swarm (a Node
 * host with no workers, two Chromium tabs donating one worker each, real
 * signaling, real WebRTC), against one tab posting the same tasks, one message
 * each, to a plain pool of as many Web Workers. The same job run again under
 * V8's profilers gives what signing and verifying cost each process (issue 14;
 * `lib/crypto-watch.ts`).
 */
import type { Page } from 'playwright-core'
import * as Y from 'yjs'
import { asJobId, encodeAndAddress, jobDocGuid, taskKeyOf } from '@tessera/core'
import { openBenchPage } from './lib/browser-session.ts'
import type { BenchOptions, BenchSection } from './lib/section.ts'
import { waitUntil } from './lib/stats.ts'
import { barChart } from './lib/svg-chart.ts'
import { cryptoCostFigure, CryptoWatch } from './lib/crypto-watch.ts'
import { connectHost, freshRoom, salt, startBenchSignaling } from './lib/swarm-fixture.ts'
import type { BenchDonorApi } from './pages/donor/main.ts'
import type { WorkerPoolApi } from './pages/worker-pool/main.ts'

type Globals = typeof globalThis & { benchDonor: BenchDonorApi; workerPool: WorkerPoolApi }

const TABS = 2
const WORKERS_PER_TAB = 1

async function baseline(tasks: number, runs: number): Promise<{ ms: number; warmMs: number }> {
  const tab = await openBenchPage('worker-pool', { workers: TABS * WORKERS_PER_TAB }, 'workerPool')
  try {
    const warm = await tab.evaluate((n) => (globalThis as Globals).workerPool.runTasks(n), Math.min(2_000, tasks))
    // Best of several: the baseline should be what a plain pool can do, not a hiccup of the machine.
    let best = Number.POSITIVE_INFINITY
    for (let i = 0; i < runs; i++) {
      const run = await tab.evaluate((n) => (globalThis as Globals).workerPool.runTasks(n), tasks)
      if (run.checksum !== tasks) throw new Error(`the worker pool returned ${run.checksum} right answers of ${tasks}`)
      best = Math.min(best, run.ms)
    }
    return { ms: best, warmMs: warm.ms }
  } finally {
    await tab.close()
  }
}

export async function runDispatchBench(options: BenchOptions): Promise<BenchSection> {
  const tasks = options.quick ? 300 : 20_000
  const base = await baseline(tasks, options.quick ? 1 : 3)
  const signaling = await startBenchSignaling()
  const room = freshRoom('dispatch')
  const tabs: Page[] = []
  const host = await connectHost(signaling, room, 0)
  let watch: CryptoWatch | undefined
  try {
    for (let i = 0; i < TABS; i++) {
      const tab = await openBenchPage('donor', { signaling: signaling.url, room, workers: WORKERS_PER_TAB }, 'benchDonor')
      await tab.evaluate(() => (globalThis as Globals).benchDonor.connect())
      tabs.push(tab)
    }
    await waitUntil('both tabs linked and donating', () => host.peer.mesh.openPeers().length >= TABS && host.status().workers >= TABS * WORKERS_PER_TAB, 30_000)
    const tag = salt()
    // Warmed as the baseline's pool is, with as many tasks (other arguments): the swarm's code compiled before the clock starts.
    const warmTasks = Math.min(2_000, tasks)
    const w0 = performance.now()
    await host.pure(({ x }: { x: number }) => x * x, { name: `warm-${tag}` }).parallel(Array.from({ length: warmTasks }, (_, x) => ({ x: -1 - x })))
    const swarmWarmMs = performance.now() - w0

    // Where the time goes, part one: what the host must do per task before any tab sees it.
    const square = host.pure(({ x }: { x: number }) => x * x, { name: `square-${tag}` })
    const args = Array.from({ length: tasks }, (_, x) => ({ x }))
    const h0 = performance.now()
    for (const a of args) taskKeyOf(square.definition.address, encodeAndAddress(a, 'args').address)
    const addressMs = performance.now() - h0

    // Counted in this job (bench/lib/crypto-watch.ts); profiled in the next, since the profilers slow a job down.
    watch = await CryptoWatch.start(tabs)
    await watch.begin(false)
    const executedBefore = await Promise.all(tabs.map((t) => t.evaluate(() => (globalThis as Globals).benchDonor.executed())))
    const marks: Array<{ ms: number; done: number }> = []
    let firstMs = Number.NaN
    // Part two: when the job entry lands in the swarm document, submitJob has written every value and task.
    let publishedMs = Number.NaN
    const jobsBefore = host.peer.swarm.jobs.size
    // The job's own document as every peer receives it once the job is listed: claims, reports, failures.
    const knownJobs = new Set(host.peer.swarm.jobs.keys())
    const jobDocs: Y.Doc[] = []
    let jobUpdateBytes = 0
    const onJobUpdate = (update: Uint8Array): void => {
      jobUpdateBytes += update.byteLength
    }
    const onJobs = (): void => {
      if (Number.isNaN(publishedMs) && host.peer.swarm.jobs.size > jobsBefore) publishedMs = performance.now() - t0
      for (const id of host.peer.swarm.jobs.keys()) {
        if (knownJobs.has(id)) continue
        knownJobs.add(id)
        void host.peer.openDoc(jobDocGuid(asJobId(id))).then((doc) => {
          jobDocs.push(doc)
          doc.on('update', onJobUpdate)
        })
      }
    }
    host.peer.swarm.jobs.observe(onJobs)
    // What every peer must receive of the swarm document for this job: the updates the host's copy applied, its own and others'.
    let swarmUpdateBytes = 0
    const onSwarmUpdate = (update: Uint8Array): void => {
      swarmUpdateBytes += update.byteLength
    }
    host.peer.swarm.doc.on('update', onSwarmUpdate)
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    // Settled, so that calls the swarm fails are counted and reported instead of sinking the section.
    const settled = await square.parallel(args, {
      settle: true,
      onProgress: (p) => {
        if (Number.isNaN(firstMs) && p.done > 0) firstMs = performance.now() - t0
        const last = marks[marks.length - 1]
        if (last === undefined || p.done - last.done >= tasks / 20 || p.done === tasks) marks.push({ ms: performance.now() - t0, done: p.done })
      },
    })
    const swarmMs = performance.now() - t0
    host.peer.swarm.jobs.unobserve(onJobs)
    host.peer.swarm.doc.off('update', onSwarmUpdate)
    for (const doc of jobDocs) doc.off('update', onJobUpdate)
    const jobStateBytes = jobDocs.reduce((sum, doc) => sum + (doc.isDestroyed ? 0 : Y.encodeStateAsUpdate(doc).byteLength), 0)
    const cpu = process.cpuUsage(cpu0)
    const timedCosts = await watch.end()
    const executed = (await Promise.all(tabs.map((t) => t.evaluate(() => (globalThis as Globals).benchDonor.executed())))).map((n, i) => n - (executedBefore[i] ?? 0))
    // Issue 14's signing-cost target: the same job again under the profilers, with a function of its own so nothing is cached.
    await watch.begin()
    const p0 = performance.now()
    // Arguments of its own too: the timed job's are in the value index by now, and storing them is part of a job's cost.
    const profiled = await host.pure(({ x }: { x: number }) => x * x, { name: `profiled-${tag}` }).parallel(args.map(({ x }) => ({ x: x + tasks })))
    const profiledMs = performance.now() - p0
    if (profiled.some((value, i) => value !== (i + tasks) * (i + tasks))) throw new Error('the swarm returned a wrong square in the profiled job')
    const costs = await watch.end()
    const hostCpuMs = (cpu.user + cpu.system) / 1000
    const failures = settled.filter((r) => r.status === 'rejected')
    if (settled.some((r) => r.status === 'fulfilled' && r.value !== r.index * r.index)) throw new Error('the swarm returned a wrong square')
    if (failures.length === tasks) throw new Error(`every call failed, e.g. ${String(failures[0]?.status === 'rejected' ? failures[0].error : '')}`)
    const firstFailure = failures[0]
    const failureNote =
      firstFailure?.status === 'rejected'
        ? ` ${failures.length} of the ${tasks.toLocaleString('en')} calls FAILED (first: #${firstFailure.index} ${firstFailure.error.name}: ${firstFailure.error.message}); they count in the throughput but returned no value. This is a bug the benchmark found, not noise: the host read an accepted result whose value-index entry had not reached it yet, and the call failed at once instead of waiting for it.`
        : ''

    const swarmRate = (tasks * 1000) / swarmMs
    const baseRate = (tasks * 1000) / base.ms
    const ratio = swarmRate / baseRate
    // Issue 15's line: a tenth of one tab's plain pool (about 10,000 tasks/s here); Ray manages about 8,000 from one client.
    const met = ratio >= 0.1 && failures.length === 0
    const signatureCost = cryptoCostFigure(costs, tasks, profiledMs)
    return {
      id: 'dispatch',
      title: 'Dispatch throughput',
      figures: [
        {
          id: 'dispatch.swarm-vs-worker-pool',
          title: `${tasks.toLocaleString('en')} trivial tasks: swarm (Node host + ${TABS} tabs over WebRTC) vs one tab's Web Worker pool`,
          value: swarmRate,
          unit: 'tasks/s',
          baseline: { label: `one tab, ${TABS * WORKERS_PER_TAB} plain Web Workers, one postMessage per task (best of 3)`, value: baseRate, unit: 'tasks/s' },
          ratio,
          target: '≥ 0.1 (issue 15; Pando: ~1,000 items/s over one connection)',
          met,
          note: [
            `Swarm: ${(swarmMs / 1000).toFixed(2)} s in all; publishing the job (every argument into the value index, every task into the job document, in bounded transactions) took the host ${(publishedMs / 1000).toFixed(2)} s, and the first result reached it after ${(firstMs / 1000).toFixed(2)} s; the tabs ran ${executed.join(' and ')} tasks. Addressing the ${tasks.toLocaleString('en')} calls alone (two SHA-256 per call) costs the host ${addressMs.toFixed(0)} ms; in all the host's process used ${(hostCpuMs / 1000).toFixed(2)} s of CPU (${((hostCpuMs / swarmMs) * 100).toFixed(0)}% of a core) during the job, ${((hostCpuMs * 1000) / tasks).toFixed(0)} µs per task, against ${((base.ms * 1000) / tasks).toFixed(1)} µs of wall time per task for the whole baseline. The swarm document's updates during the job came to ${(swarmUpdateBytes / 1e6).toFixed(1)} MB, ${(swarmUpdateBytes / tasks).toFixed(0)} B per task (cache entries, written as a pack per flush, and the value index). The job document's updates once the job was listed came to ${(jobUpdateBytes / 1e6).toFixed(1)} MB, ${(jobUpdateBytes / tasks).toFixed(0)} B per task (claims, reports in a pack per flush, failures), and the job document held ${(jobStateBytes / 1e6).toFixed(1)} MB at the end, tasks included.`,
            met
              ? ''
              : `Missed: once results flowed the swarm delivered ${((tasks * 1000) / Math.max(1, swarmMs - firstMs)).toFixed(0)} tasks/s, so ${((firstMs / swarmMs) * 100).toFixed(0)}% of the run went to getting started (publishing, replicating the job to the tabs, first claims). The baseline is a message per task inside one process, while every swarm task is also a Yjs claim, a report and a cache entry that travel over WebRTC and are applied by every peer, on 2 cores that also run the host, the tabs' main threads and the signaling server. Batching amortises the messages, but not this per-task document work.`,
          ]
            .filter(Boolean)
            .join(' ') + failureNote,
        },
        signatureCost.figure,
      ],
      markdown: [
        `Method: a fresh room and function name, so nothing is cached; a warm-up job of ${warmTasks} tasks first (${(swarmWarmMs / 1000).toFixed(2)} s), as the baseline gets; the timed job runs without profilers, and the signature figure comes from the same job run again with V8's profilers on (another function name) at ${((tasks * 1000) / profiledMs).toFixed(0)} tasks/s. The host is \`@tessera/host\` with \`workers: 0\`; each tab runs \`@tessera/client\` with one worker. The baseline tab runs a separate warm-up of ${Math.min(2_000, tasks)} tasks (${base.warmMs.toFixed(0)} ms), then three timed runs.`,
        '',
        'Swarm progress as the host saw it:',
        '',
        '| time (s) | results |',
        '|--:|--:|',
        ...marks.map((m) => `| ${(m.ms / 1000).toFixed(2)} | ${m.done} |`),
        '',
        signatureCost.markdown,
      ].join('\n'),
      charts: {
        'dispatch.svg': barChart({
          title: `${tasks.toLocaleString('en')} trivial tasks: throughput`,
          unit: 'tasks/s',
          series: ['tasks/s'],
          groups: [
            { label: `swarm: host + ${TABS} tabs`, values: [swarmRate] },
            { label: 'one tab, Web Worker pool', values: [baseRate] },
          ],
          log: true,
        }),
      },
      data: { tasks, failed: failures.length, swarmMs, swarmUpdateBytes, jobUpdateBytes, jobStateBytes, hostCpuMs, publishedMs, firstResultMs: firstMs, baselineMs: base.ms, baselineWarmMs: base.warmMs, addressMs, executed, progress: marks, signatures: costs, profiledMs, timedJobCrypto: timedCosts.map((c) => ({ process: c.process, crypto: c.crypto, busyMs: c.busyMs, cpuMs: c.cpuMs })) },
    }
  } finally {
    await watch?.close()
    for (const tab of tabs) await tab.evaluate(() => (globalThis as Globals).benchDonor.close()).catch(() => {})
    await Promise.all(tabs.map((t) => t.close()))
    await host.close()
    await signaling.close()
  }
}
