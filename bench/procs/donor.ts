// One donor in a process of its own: `connect({ workers: 1 })`, as a volunteer's
// Node host would run. Prints one JSON line when connected; exits on SIGTERM.
//   node --import tsx bench/procs/donor.ts <signaling-url> <room> [--wait] [--threads]
// With --threads it donates through plain worker_threads (`ThreadExecutor`)
// instead of the isolate sandbox: the baseline that measures the sandbox's cost.
// With --wait it prints {"ready":true} and joins only when "connect" arrives on
// stdin, so a bench can start the process early and add the donor later.
import { createInterface } from 'node:readline'
import { connect, ThreadExecutor, type Swarm } from '@tessera/host'
import { BENCH_REPLICATION } from '../lib/swarm-fixture.ts'

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
    process.stdout.write(`${JSON.stringify({ ...swarm.status(), jobs: swarm.peer.swarm.jobs.size, links: swarm.peer.mesh.openPeers().length, cpuMs })}\n`)
  }
})
if (process.argv.includes('--wait')) process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
else await join()
const stop = (): void => {
  void (swarm?.close() ?? Promise.resolve()).finally(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

