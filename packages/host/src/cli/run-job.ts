import { inspect } from 'node:util'
import { CancelledError } from '@tessera/core'
import type { Swarm } from '@tessera/runtime'
import { JobFailedError } from './cli-errors.ts'
import { jobSwarm } from './job-swarm.ts'
import type { LoadedJob } from './load-job.ts'
import type { ProgressReporter } from './progress-bar.ts'
import type { RunCounts } from './run-summary.ts'

export interface RunJobOptions {
  readonly args: readonly string[]
  readonly signal: AbortSignal
  readonly progress: ProgressReporter
  /** This host's worker threads, for the summary. */
  readonly workers: number
  /** Forget cached failures and run those calls again (`--retry-failed`). */
  readonly retryFailed?: boolean
  /** Fail the job's calls once nobody in the room has had workers this long (`--fail-if-no-workers`); without it they wait. */
  readonly failAfterMs?: number
  /** Where the run's counts go, whether the job returned or threw. */
  readonly onCounts?: (counts: RunCounts) => void
}

/**
 * Calls a loaded job module's default export with the swarm (functions made
 * self-contained, batches on the progress bar), and counts where its calls
 * were answered. What the job throws comes back as `JobFailedError`.
 */
export async function runJob(job: LoadedJob, label: string, swarm: Swarm, options: RunJobOptions): Promise<{ result: unknown; counts: RunCounts }> {
  const before = { ...options.progress.totals, executed: swarm.status().executed }
  const countsSince = (): RunCounts => {
    const after = options.progress.totals
    return {
      done: after.done - before.done,
      cached: after.cached - before.cached,
      failed: after.failed - before.failed,
      ranHere: swarm.status().executed - before.executed,
      workers: options.workers,
    }
  }
  let result: unknown
  const swarmOptions = {
    scope: job.scope,
    progress: options.progress,
    ...(options.retryFailed === true ? { retryFailed: true } : {}),
    ...(options.failAfterMs === undefined ? {} : { noWorkers: 'fail' as const, noWorkersMs: options.failAfterMs }),
  }
  try {
    result = await job.run(jobSwarm(swarm, swarmOptions), {
      args: options.args,
      signal: options.signal,
      log: (line) => options.progress.log(line),
    })
  } catch (error) {
    options.progress.finish()
    options.onCounts?.(countsSince())
    const thrown = error instanceof Error ? error : new Error(String(error))
    const verb = thrown instanceof CancelledError ? 'was cancelled' : 'failed'
    throw new JobFailedError(`${label} ${verb}: ${thrown.name}: ${thrown.message}`, { cause: thrown })
  }
  options.progress.finish()
  const counts = countsSince()
  options.onCounts?.(counts)
  return { result, counts }
}

/** Strings as they are, other values as JSON when they have one, else as Node prints them. */
export function formatResult(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    const json = JSON.stringify(value, null, 2)
    if (json !== undefined) return json
  } catch {
    // BigInt, cycles: fall through
  }
  return inspect(value, { depth: 8 })
}
