import { CancelledError, markJobDone, type CachePolicy, type JobId, type TaskKey } from '@tessera/core'
import type { JobControl } from './job-control.ts'
import { JobRun, type CallOutcome, type PlannedCall } from './job-run.ts'
import type { BatchOptions } from './options.ts'
import type { Progress } from './progress.ts'
import type { SwarmParts } from './swarm-parts.ts'
import type { Launched } from './launch.ts'
import type { RunLog } from './task-log.ts'
import { watchWorkers } from './worker-watch.ts'
import { watchDisputes } from './dispute-watch.ts'

export interface FollowOptions extends BatchOptions {
  readonly onOutcome?: (call: PlannedCall, outcome: CallOutcome) => void
  /** Console output of the batch's runs, per call (`Calls` adds the arguments for `onLog`). */
  readonly onRunLog?: (call: PlannedCall, line: RunLog) => void
  /** The batch ended early (the caller's signal aborted, or one of its jobs was cancelled): what else to cancel. */
  readonly onAbort?: () => void
  readonly resultsAs?: 'value' | 'ref'
  /** Which cache entries count (`cachePolicyFor`). */
  readonly policy: CachePolicy
  /** `elsewhere` for `.remote()`: this host's own workers do not count as the batch's. */
  readonly placement?: 'anywhere' | 'elsewhere'
}

/**
 * Every call of these jobs has its outcome here (from reports or from the
 * cache): the submitter signs them done, so dashboards stop counting them
 * even when this host leaves before the donors' last reports reach it.
 */
function markOwnJobsDone(parts: SwarmParts, groups: readonly Group[]): void {
  const { peer } = parts
  if (peer.closed) return
  for (const { job, taskOf } of groups) {
    const entry = job === undefined ? undefined : peer.swarm.job(job)
    // Only when this batch followed the whole job (`result()` follows one call of it).
    if (entry?.state === 'open' && entry.submittedBy === peer.id && taskOf.size === entry.taskCount) markJobDone(peer.swarm, entry.id, peer.identity)
  }
}

interface Group {
  readonly job: JobId | undefined
  readonly taskOf: ReadonlyMap<TaskKey, string>
  readonly calls: PlannedCall[]
}

/** One group per launched job, with the calls it runs; cached calls go with the first. */
function groupCalls(calls: readonly PlannedCall[], launched: Launched): Group[] {
  const groups: Group[] = launched.parts.map(({ job, taskOf }) => ({ job, taskOf, calls: [] }))
  if (groups.length === 0) groups.push({ job: undefined, taskOf: new Map(), calls: [] })
  const groupOf = new Map<TaskKey, Group>()
  for (const group of groups) for (const key of group.taskOf.keys()) groupOf.set(key, group)
  for (const call of calls) (groupOf.get(call.key) ?? (groups[0] as Group)).calls.push(call)
  return groups
}

/**
 * Follows a batch to its end, one `JobRun` per job it was published as,
 * honouring the signal; resolves with every call's outcome in order. If one
 * of its jobs is cancelled, the whole batch rejects and the others stop.
 */
export function followCalls(
  parts: SwarmParts,
  control: JobControl,
  calls: readonly PlannedCall[],
  launched: Launched,
  options: FollowOptions,
): Promise<CallOutcome[]> {
  const outcomes: CallOutcome[] = new Array(calls.length)
  const { peer, tracker, clock } = parts
  const progress = new Map<number, Omit<Progress, 'workers'>>()
  const onProgress = options.onProgress
  let workers = (): number => 0
  const reportProgress = (): void => {
    const sum = { done: 0, total: calls.length, cached: 0, failed: 0, running: 0, workers: workers() }
    for (const p of progress.values()) {
      sum.done += p.done
      sum.cached += p.cached
      sum.failed += p.failed
      sum.running += p.running
    }
    onProgress?.(sum)
  }
  return new Promise<CallOutcome[]>((resolve, reject) => {
    const runs: JobRun[] = []
    const forgets: Array<() => void> = []
    const signal = options.signal
    let ended = false
    let disputes: { readonly stop: () => void } | undefined
    const watch = watchWorkers({
      parts,
      clock,
      placement: options.placement ?? 'anywhere',
      ...(options.noWorkers === undefined ? {} : { noWorkers: options.noWorkers }),
      ...(options.noWorkersMs === undefined ? {} : { noWorkersMs: options.noWorkersMs }),
      ...(onProgress === undefined ? {} : { onCount: () => reportProgress() }),
      // Nobody will run them: the batch's jobs are cancelled, as when its signal aborts.
      onNone: (error) => {
        if (!end()) return
        for (const run of runs) run.stop()
        options.onAbort?.()
        reject(error)
      },
    })
    workers = watch.count
    const end = (): boolean => {
      if (ended) return false
      ended = true
      watch.stop()
      disputes?.stop()
      for (const forget of forgets) forget()
      signal?.removeEventListener('abort', onAbort)
      return true
    }
    const fail = (error: Error): void => {
      if (!end()) return
      for (const run of runs) run.stop()
      if (error instanceof CancelledError) options.onAbort?.()
      reject(error)
    }
    const onAbort = (): void => fail(new CancelledError(`cancelled: ${String(signal?.reason ?? 'aborted')}`))
    for (const [i, group] of groupCalls(calls, launched).entries()) {
      const run: JobRun = new JobRun({
        swarm: peer.swarm,
        values: peer.values,
        clock,
        job: () => (group.job === undefined ? undefined : tracker.get(group.job)),
        onJobOpen: (listener) => tracker.onOpen(listener),
        onSubjectsChange: (listener) => tracker.subjects.onChange(listener),
        taskOf: group.taskOf,
        policy: options.policy,
        calls: group.calls,
        onOutcome: (call, outcome) => {
          outcomes[call.index] = outcome
          options.onOutcome?.(call, outcome)
        },
        ...(onProgress === undefined
          ? {}
          : {
              onProgress: (p: Omit<Progress, 'workers'>) => {
                progress.set(i, p)
                reportProgress()
              },
            }),
        ...(options.resultsAs === undefined ? {} : { resultsAs: options.resultsAs }),
        ...(options.onRunLog === undefined ? {} : { onLog: options.onRunLog }),
        onCancelled: () => fail(new CancelledError(`job ${run.jobId ?? group.job ?? ''} was cancelled`)),
      })
      runs.push(run)
      forgets.push(control.follow(run, fail))
    }
    // Tasks every live subject reported on without agreeing end with QuorumError rather than wait for ever.
    disputes = watchDisputes({ parts, clock, placement: options.placement ?? 'anywhere', runs, ...(options.disputeMs === undefined ? {} : { disputeMs: options.disputeMs }) })
    if (signal?.aborted === true) {
      onAbort()
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    Promise.all(runs.map((run) => run.run())).then(
      () => {
        if (!end()) return
        markOwnJobsDone(parts, groupCalls(calls, launched))
        resolve(outcomes)
      },
      (error: Error) => fail(error),
    )
  })
}
