import { relative } from 'node:path'
import { DEFAULT_DATA_DIR } from '@tessera/mesh/node'
import { NO_WORKERS_DEFAULT_MS } from '@tessera/runtime'
import { connect } from '../../connect.ts'
import { defaultThreadCount } from '../../thread-executor.ts'
import { integerFlag, stringFlag, stringsFlag, type ParsedCommand } from '../args.ts'
import { UsageError } from '../cli-errors.ts'
import { closeQuietly } from '../close-quietly.ts'
import { connectionFrom, shownUrl } from '../connection.ts'
import { parseDuration } from '../duration.ts'
import type { CliIo } from '../io.ts'
import { noWorkersHint } from '../donate-page-url.ts'
import { loadJob } from '../load-job.ts'
import { ProgressReporter } from '../progress-bar.ts'
import { assertSignalingReachable } from '../reach-signaling.ts'
import { formatResult, runJob } from '../run-job.ts'
import { formatRunSummary } from '../run-summary.ts'

/** `tessera run job.ts`: bundle, connect, run the default export, print its result. */
export async function runCommand(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const [path] = parsed.positionals as [string]
  const connection = connectionFrom('run', parsed.flags, io.env)
  const workers = integerFlag('run', 'workers', stringFlag(parsed.flags, 'workers'), defaultThreadCount(), { min: 0, max: 1_024 })
  const cacheDir = stringFlag(parsed.flags, 'cache-dir') ?? DEFAULT_DATA_DIR
  const quorumText = stringFlag(parsed.flags, 'quorum')
  const checks = {
    ...(quorumText === undefined ? {} : { quorum: integerFlag('run', 'quorum', quorumText, 1, { min: 1, max: 64 }) }),
    ...(parsed.flags['no-adaptive'] === true ? { adaptive: false } : {}),
    ...(stringsFlag(parsed.flags, 'trust').length === 0 ? {} : { trust: stringsFlag(parsed.flags, 'trust') }),
  }
  const failAfterMs = failIfNoWorkersMs(stringFlag(parsed.flags, 'fail-if-no-workers'))
  // Bundle first: a typo in the job is reported before anything connects.
  const job = await loadJob(path)
  await assertSignalingReachable({ url: connection.signaling, ...connection })
  const swarm = await connect({ ...connection, workers, cacheDir, ...checks })
  const progress = new ProgressReporter(io.stderr, { noWorkersHint: noWorkersHint(shownUrl(connection.signaling), connection.room, failAfterMs) })
  const controller = new AbortController()
  void io.interrupted().then((signal) => controller.abort(`interrupted by ${signal}`))
  try {
    const { result } = await runJob(job, relative(process.cwd(), path) || path, swarm, {
      args: parsed.rest,
      signal: controller.signal,
      progress,
      workers,
      retryFailed: parsed.flags['retry-failed'] === true,
      ...(failAfterMs === undefined ? {} : { failAfterMs }),
      onCounts: (counts) => {
        if (counts.done > 0) io.stderr.write(`${formatRunSummary(counts)}\n`)
      },
    })
    if (result !== undefined) io.stdout.write(`${formatResult(result)}\n`)
  } finally {
    await closeQuietly(() => swarm.close())
  }
  return 0
}

/** How long `--fail-if-no-workers[=<time>]` lets the room have no workers; undefined without the flag (calls wait). */
export function failIfNoWorkersMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (text === '') return NO_WORKERS_DEFAULT_MS
  const seconds = parseDuration(text)
  if (seconds === undefined) throw new UsageError(`--fail-if-no-workers must be a time like 30, 30s or 2m, got "${text}"`, 'run')
  return seconds * 1_000
}
