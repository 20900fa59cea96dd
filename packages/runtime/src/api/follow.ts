import { CancelledError, type TaskKey } from '@tessera/core'
import type { JobControl } from './job-control.ts'
import { JobRun, type CallOutcome, type PlannedCall } from './job-run.ts'
import type { BatchOptions } from './options.ts'
import type { SwarmParts } from './swarm-parts.ts'
import type { Launched } from './launch.ts'

export interface FollowOptions extends BatchOptions {
  readonly onOutcome?: (call: PlannedCall, outcome: CallOutcome) => void
  /** The caller's signal aborted: what else to cancel (the job it launched). */
  readonly onAbort?: () => void
  readonly resultsAs?: 'value' | 'ref'
}

/** Runs a JobRun to its end, honouring the signal; resolves with every call's outcome in order. */
export function followCalls(
  parts: SwarmParts,
  control: JobControl,
  calls: readonly PlannedCall[],
  launched: Launched,
  options: FollowOptions,
): Promise<CallOutcome[]> {
  const outcomes: CallOutcome[] = new Array(calls.length)
  const { peer, tracker, clock } = parts
  const job = launched.job
  return new Promise<CallOutcome[]>((resolve, reject) => {
    const run = new JobRun({
      swarm: peer.swarm,
      values: peer.values,
      clock,
      job: () => (job === undefined ? undefined : tracker.get(job)),
      onJobOpen: (listener) => tracker.onOpen(listener),
      taskOf: launched.taskOf as ReadonlyMap<TaskKey, string>,
      calls,
      onOutcome: (call, outcome) => {
        outcomes[call.index] = outcome
        options.onOutcome?.(call, outcome)
      },
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.resultsAs === undefined ? {} : { resultsAs: options.resultsAs }),
      onCancelled: () => reject(new CancelledError(`job ${run.jobId ?? ''} was cancelled`)),
    })
    const forget = control.follow(run, reject)
    const signal = options.signal
    const onAbort = (): void => {
      run.stop()
      options.onAbort?.()
      reject(new CancelledError(`cancelled: ${String(signal?.reason ?? 'aborted')}`))
    }
    if (signal?.aborted === true) {
      forget()
      onAbort()
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    run
      .run()
      .then(() => resolve(outcomes), reject)
      .finally(() => {
        forget()
        signal?.removeEventListener('abort', onAbort)
      })
  })
}
