// One donor in a process of its own: `connect({ workers: 1 })`, as a volunteer's
// Node host would run. Prints one JSON line when connected; exits on SIGTERM.
//   node --import tsx bench/procs/donor.ts <signaling-url> <room> [--wait] [--threads]
// With --threads it donates through plain worker_threads (`ThreadExecutor`)
// instead of the isolate sandbox: the baseline that measures the sandbox's cost.
// With --wait it prints {"ready":true} and joins only when "connect" arrives on
// stdin, so a bench can start the process early and add the donor later.
// With --timeline it records when its worker ran each task ("runs" prints them, and forgets them).
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { connect, IsolateExecutor, ThreadExecutor, type Swarm } from '@tessera/host'
import { BENCH_REPLICATION } from '../lib/swarm-fixture.ts'
import { epochNow, type RunSpan } from '../lib/worker-timeline.ts'

const spans: RunSpan[] = []
if (process.argv.includes('--timeline')) {
  // Patched, not wrapped: a wrapper would be a caller's executor, which changes what connect() does around it.
  for (const kind of [IsolateExecutor, ThreadExecutor]) {
    const run = kind.prototype.run
    kind.prototype.run = async function (this: InstanceType<typeof kind>, ...args: Parameters<typeof run>) {
      const start = epochNow()
      const execution = await run.apply(this, args)
      spans.push({ start, end: epochNow(), durationMs: execution.durationMs })
      return execution
    }
  }
}

const [signaling, room] = process.argv.slice(2) as [string, string]
let swarm: Swarm | undefined
const join = async (): Promise<void> => {
  const unsandboxed = process.argv.includes('--threads') ? { executor: new ThreadExecutor({ workers: 1 }) } : {}
  swarm = await connect({ signaling, room, workers: 1, cacheDir: false, replication: BENCH_REPLICATION, ...unsandboxed })
  process.stdout.write(`${JSON.stringify({ id: swarm.peer.id })}\n`)
}
const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  const command = line.trim()
  if (command === '"connect"') void join()
  // The tasks this donor executed and the CPU its process used (worker threads and isolates included), for the report.
  if (command === '"status"' && swarm !== undefined) {
    const cpu = process.cpuUsage()
    const cpuMs = (cpu.user + cpu.system) / 1000
    // The main thread's busy time alone (the worker's runs are not in it): what the donor's machinery costs.
    const mainActiveMs = performance.eventLoopUtilization().active
    process.stdout.write(`${JSON.stringify({ ...swarm.status(), jobs: swarm.peer.swarm.jobs.size, links: swarm.peer.mesh.openPeers().length, cpuMs, mainActiveMs })}\n`)
  }
  if (command === '"runs"') process.stdout.write(`${JSON.stringify({ spans: spans.splice(0) })}\n`)
})
if (process.argv.includes('--wait')) process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
else await join()
const stop = (): void => {
  void (swarm?.close() ?? Promise.resolve()).finally(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

