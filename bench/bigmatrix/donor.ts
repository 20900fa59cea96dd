// One BigMatrix donor in a process of its own: `connect({ workers: 1 })` with a
// worker thread, instrumented to say where its time went. JSON lines on stdio:
// one `{ id }` when connected; `"stats"` answers with the time spent computing
// (a task on the worker) and moving blocks (a value fetch in flight while no
// task computes), and the bytes read locally and from peers, since the last
// `"stats"`; exits on SIGTERM.
//   node --import tsx bench/bigmatrix/donor.ts <signaling-url> <room>
import type { Execution, Executor, KeywordArgs, PureFunctionSource, RunOptions } from '@tessera/core'
import { connect, ThreadExecutor } from '@tessera/host'
import { BENCH_REPLICATION } from '../lib/swarm-fixture.ts'

/**
 * Splits this donor's wall time by what it was doing: computing (a task on the
 * worker), else moving blocks (a value fetch in flight: from a peer, hash
 * check, decoding), else nothing. A fetch that overlaps a computation (the
 * donor fetches the next task's blocks ahead) counts as computing: it cost no
 * worker time.
 */
class Activity {
  computeMs = 0
  movingMs = 0
  #running = 0
  #fetching = 0
  #since = performance.now()

  change(running: number, fetching: number): void {
    const now = performance.now()
    if (this.#running > 0) this.computeMs += now - this.#since
    else if (this.#fetching > 0) this.movingMs += now - this.#since
    this.#since = now
    this.#running += running
    this.#fetching += fetching
  }

  reset(): void {
    this.change(0, 0)
    this.computeMs = 0
    this.movingMs = 0
  }
}

const activity = new Activity()

/** Marks the executor's runs: compute, including handing the blocks to the worker thread. */
class TimedExecutor implements Executor {
  runs = 0
  constructor(private readonly inner: Executor) {}
  async run(fn: PureFunctionSource, args: KeywordArgs, options: RunOptions): Promise<Execution> {
    activity.change(1, 0)
    try {
      return await this.inner.run(fn, args, options)
    } finally {
      activity.change(-1, 0)
      this.runs++
    }
  }
  close(): Promise<void> {
    return this.inner.close()
  }
}

const [signaling, room] = process.argv.slice(2) as [string, string]
const executor = new TimedExecutor(new ThreadExecutor({ workers: 1 }))
const swarm = await connect({ signaling, room, workers: 1, cacheDir: false, replication: BENCH_REPLICATION, executor })

// Of the bytes read, how many came from other peers.
let localBytes = 0
let remoteBytes = 0
const values = swarm.peer.values
const get = values.get.bind(values)
values.get = async (address) => {
  activity.change(0, 1)
  const local = await swarm.peer.blobs.has(address)
  try {
    return await get(address)
  } finally {
    activity.change(0, -1)
    const size = swarm.peer.swarm.value(address)?.size ?? 0
    if (local) localBytes += size
    else remoteBytes += size
  }
}

process.stdout.write(`${JSON.stringify({ id: swarm.peer.id })}\n`)
const stop = (): void => {
  void swarm.close().finally(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

let cpuMark = process.cpuUsage()
process.stdin.setEncoding('utf8')
let buffered = ''
process.stdin.on('data', (chunk: string) => {
  buffered += chunk
  let newline: number
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline).trim()
    buffered = buffered.slice(newline + 1)
    if (line === '"stats"') {
      activity.change(0, 0)
      const { computeMs, movingMs } = activity
      // CPU time this process got, all threads: how much of the cores the donors had, next to everything else running.
      const cpu = process.cpuUsage(cpuMark)
      cpuMark = process.cpuUsage()
      const cpuMs = (cpu.user + cpu.system) / 1000
      process.stdout.write(`${JSON.stringify({ computeMs, movingMs, cpuMs, runs: executor.runs, localBytes, remoteBytes })}\n`)
      activity.reset()
      executor.runs = 0
      localBytes = 0
      remoteBytes = 0
    }
  }
})
