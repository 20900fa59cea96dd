/**
 * `npm start`: the main job on embedded defaults. Starts `tessera serve`
 * in-process (signaling and the donate page on one port), prints the URL to
 * open in tabs, runs the demo job (Monte Carlo π, then a hyperparameter grid
 * search) on local worker threads and every tab that joins, prints the
 * results and where the tasks ran, then keeps serving until Ctrl-C.
 */
import { fileURLToPath } from 'node:url'
import { connect } from '@tessera/host'
import { closeQuietly, formatRunSummary, loadJob, ProgressReporter, runJob, startTesseraServer, type RunCounts, type TesseraServer } from '@tessera/host/cli'
import type { GridSearchResult } from '../../examples/grid-search.ts'
import type { PiResult } from '../../examples/pi.ts'
import { parseStartOptions, START_USAGE } from './options.ts'
import { formatGridSearch, formatPi } from './report.ts'

const DEMO_JOBS = {
  pi: fileURLToPath(new URL('../../examples/pi.ts', import.meta.url)),
  gridSearch: fileURLToPath(new URL('../../examples/grid-search.ts', import.meta.url)),
}

function fail(message: string): never {
  process.stderr.write(`npm start: ${message}\n`)
  process.exit(1)
}

let options
try {
  options = parseStartOptions(process.argv.slice(2), process.env)
} catch (error) {
  fail((error as Error).message)
}
if (options === 'help') {
  process.stdout.write(`${START_USAGE}\n`)
  process.exit(0)
}
const { port, room, cacheDir, workers, once } = options

let server: TesseraServer
try {
  server = await startTesseraServer({ port, log: (line) => process.stderr.write(`${line}\n`) })
} catch (error) {
  fail((error as Error).message)
}
if ('missing' in server.page) process.stderr.write(`(no donate page to serve: ${server.page.missing})\n`)
const pageUrl = `${server.httpUrl}/?room=${encodeURIComponent(room)}`
process.stdout.write(`Tessera is serving on ${pageUrl}\nOpen it in browser tabs: they join the swarm and take tasks from the demo job.\n\n`)

const swarm = await connect({ signaling: server.signalingUrl, room, workers, cacheDir })
const progress = new ProgressReporter(process.stderr)
const controller = new AbortController()
let stopping = false
const stop = async (): Promise<void> => {
  if (stopping) process.exit(130) // a second Ctrl-C means "now"
  stopping = true
  controller.abort('interrupted')
  await closeQuietly(() => swarm.close(), () => server.close())
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())

const started = Date.now()
const totals: RunCounts[] = []
try {
  const pi = await runJob(await loadJob(DEMO_JOBS.pi), 'Monte Carlo π', swarm, { args: [], signal: controller.signal, progress, workers })
  totals.push(pi.counts)
  process.stdout.write(`${formatPi(pi.result as PiResult)}\n`)
  const grid = await runJob(await loadJob(DEMO_JOBS.gridSearch), 'grid search', swarm, { args: [], signal: controller.signal, progress, workers })
  totals.push(grid.counts)
  process.stdout.write(`${formatGridSearch(grid.result as GridSearchResult)}\n`)
} catch (error) {
  if (stopping) await new Promise(() => {}) // Ctrl-C: `stop` exits
  await closeQuietly(() => swarm.close(), () => server.close())
  fail((error as Error).message)
}

const sum = totals.reduce((a, b) => ({ done: a.done + b.done, cached: a.cached + b.cached, ranHere: a.ranHere + b.ranHere, workers }))
const seconds = ((Date.now() - started) / 1000).toFixed(1)
process.stdout.write(`\n${formatRunSummary(sum)}, in ${seconds} s\n`)
process.stdout.write(
  sum.cached === sum.done
    ? `Everything came from the cache in ${cacheDir}/: delete it to compute again.\n`
    : `Results are cached in ${cacheDir}/: run it again and it is instant.\n`,
)

if (once) {
  await closeQuietly(() => swarm.close(), () => server.close())
  process.exit(0)
}
process.stdout.write(`\nStill serving on ${pageUrl} (this host keeps donating ${workers} worker${workers === 1 ? '' : 's'}); Ctrl-C stops it.\n`)
