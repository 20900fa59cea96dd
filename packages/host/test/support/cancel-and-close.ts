// A submitter in a process of its own, as a script that gives up would be:
// connects, submits slow tasks that a donor (another process) and its own
// workers (`workers`, default 0) run, cancels
// once some run (`how`: `cancel` calls cancel(), `abort` aborts the call's
// signal, `close` only closes), closes, and then returns from its top level
// with nothing else to do. Arguments: signaling, room, workers, task ms, how,
// cache dir ('' for none), task count. It prints what it sees; its process
// should end right after "closed".
import { CancelledError } from '@tessera/core'
import { connect } from '@tessera/host'

const [signaling, room, workers = '0', taskMs = '1000', how = 'cancel', cacheDir = '', count = '40'] = process.argv.slice(2) as [string, string, string?, string?, string?, string?, string?]
const swarm = await connect({ signaling, room, workers: Number(workers), cacheDir: cacheDir === '' ? false : cacheDir })
const abort = new AbortController()
const slow = swarm.pure(
  ({ ms, i }: { ms: number; i: number }) => {
    const start = Date.now()
    while (Date.now() - start < ms) {
      // spin
    }
    return i
  },
  { name: 'slow', leaseMs: 20_000 },
)
const run = slow.parallel(Array.from({ length: Number(count) }, (_, i) => ({ ms: Number(taskMs), i })), { signal: abort.signal })
const outcome = run.then(
  () => 'finished',
  (error: unknown) => (error instanceof CancelledError ? 'cancelled' : `failed: ${String(error)}`),
)
const deadline = Date.now() + 30_000
while (swarm.status().running === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
process.stdout.write(`running ${swarm.status().running}\n`)
const cancelling = Date.now()
if (how === 'abort') abort.abort()
else if (how === 'cancel') await swarm.cancel()
if (how !== 'close') process.stdout.write(`${await outcome}\n`)
process.stdout.write(`stopped in ${Date.now() - cancelling} ms\n`)
const jobs = swarm.jobs()
process.stdout.write(`after cancel: status running ${swarm.status().running}, jobs running ${jobs.reduce((n, job) => n + job.running, 0)}\n`)
const closing = Date.now()
await swarm.close()
process.stdout.write(`closed in ${Date.now() - closing} ms\n`)
