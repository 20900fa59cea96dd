import type { Clock } from '../clock.ts'
import { BlobNotFoundError, IntegrityError, SizeLimitError, toErrorRecord } from '../errors.ts'
import type { Execution } from '../interfaces/executor.ts'

/** Pauses between tries to load a task's function and arguments, in ms: about 4.4 s in all, well within a lease. */
export const INPUT_RETRY_DELAYS_MS: readonly number[] = [100, 300, 1_000, 3_000]

/**
 * Whether loading a task's inputs failed for want of bytes, not because of the
 * function: a blob no reachable peer served (often one whose listing or holder
 * record has not reached this peer yet), bytes a peer forged, a blob over this
 * donor's cap. Such an error is never the task's outcome: a result is cached
 * for ever under the task key, and another try, or another donor, may well get
 * the bytes. (Before, it was reported as what the function threw, and cached.)
 */
export function isUnavailableInput(error: unknown): boolean {
  return error instanceof BlobNotFoundError || error instanceof IntegrityError || error instanceof SizeLimitError
}

/**
 * Runs `load` (given the try's number, from 0) until it succeeds or fails
 * otherwise than for a blob not found, pausing `INPUT_RETRY_DELAYS_MS` between
 * tries: a listing or holder record on its way arrives within them. Forged or
 * oversized bytes are not tried again here: waiting does not mend them.
 */
export async function loadWithRetries<T>(load: (attempt: number) => Promise<T>, clock: Clock, delaysMs: readonly number[] = INPUT_RETRY_DELAYS_MS): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await load(attempt)
    } catch (error) {
      const delay = delaysMs[attempt]
      if (!(error instanceof BlobNotFoundError) || delay === undefined) throw error
      await new Promise<void>((resolve) => clock.setTimeout(resolve, delay))
    }
  }
}

/**
 * How an attempt whose inputs stayed unavailable ends: as a `timeout` does (a
 * crashed worker's run ends so too), which is signed, counted against
 * `maxAttempts` and never cached, with the error that names the bytes. So the
 * task is claimed again at once, on any donor, and a call whose input no peer
 * holds fails after `maxAttempts` tries with that error, not a lost lease.
 */
export function unavailableInputs(error: unknown, waitedMs: number): Execution {
  return { kind: 'timeout', error: toErrorRecord(error), durationMs: waitedMs }
}
