import { relative } from 'node:path'
import { DEFAULT_DATA_DIR } from '@tessera/mesh/node'
import { connect } from '../../connect.ts'
import { defaultThreadCount } from '../../thread-executor.ts'
import { integerFlag, stringFlag, stringsFlag, type ParsedCommand } from '../args.ts'
import { closeQuietly } from '../close-quietly.ts'
import { connectionFrom } from '../connection.ts'
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
  // Bundle first: a typo in the job is reported before anything connects.
  const job = await loadJob(path)
  await assertSignalingReachable({ url: connection.signaling, ...connection })
  const swarm = await connect({ ...connection, workers, cacheDir, ...checks })
  const progress = new ProgressReporter(io.stderr, { noWorkersHint: noWorkersHint(connection.signaling, connection.room) })
  const controller = new AbortController()
  void io.interrupted().then((signal) => controller.abort(`interrupted by ${signal}`))
  try {
    const { result } = await runJob(job, relative(process.cwd(), path) || path, swarm, {
      args: parsed.rest,
      signal: controller.signal,
      progress,
      workers,
      retryFailed: parsed.flags['retry-failed'] === true,
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
