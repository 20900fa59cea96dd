/**
 * When a donor's worker was busy and when it idled, for the efficiency
 * section's breakdown: each run's start and end on the machine's clock
 * (epoch ms, comparable across the bench's processes), and the gaps between
 * a job's submission, the runs, and the job's end.
 */
export interface RunSpan {
  readonly start: number
  readonly end: number
  /** What the executor measured inside the worker: the rest of `end - start` is the executor's own overhead. */
  readonly durationMs: number
}

export interface IdleGaps {
  readonly runs: number
  readonly busyMs: number
  /** From the job's submission to this worker's first run. */
  readonly startupMs: number
  /** Between this worker's runs. */
  readonly betweenMs: number
  /** The largest single gap between runs. */
  readonly longestBetweenMs: number
  /** From this worker's last run to the job's end (the submitter holds every result). */
  readonly tailMs: number
  /** Inside runs but outside the function: sending the task to the worker and the result back. */
  readonly executorMs: number
}

/** Epoch milliseconds with sub-millisecond precision, the same clock in every process of the bench. */
export const epochNow = (): number => performance.timeOrigin + performance.now()

/** A worker's idle time over [from, to], split where it happened. */
export function idleGaps(spans: readonly RunSpan[], from: number, to: number): IdleGaps {
  const runs = spans.filter((s) => s.start >= from && s.end <= to).sort((a, b) => a.start - b.start)
  if (runs.length === 0) return { runs: 0, busyMs: 0, startupMs: to - from, betweenMs: 0, longestBetweenMs: 0, tailMs: 0, executorMs: 0 }
  let betweenMs = 0
  let longestBetweenMs = 0
  for (let i = 1; i < runs.length; i++) {
    const gap = Math.max(0, (runs[i] as RunSpan).start - (runs[i - 1] as RunSpan).end)
    betweenMs += gap
    longestBetweenMs = Math.max(longestBetweenMs, gap)
  }
  return {
    runs: runs.length,
    busyMs: runs.reduce((sum, s) => sum + (s.end - s.start), 0),
    startupMs: (runs[0] as RunSpan).start - from,
    betweenMs,
    longestBetweenMs,
    tailMs: to - (runs[runs.length - 1] as RunSpan).end,
    executorMs: runs.reduce((sum, s) => sum + Math.max(0, s.end - s.start - s.durationMs), 0),
  }
}

/** One worker's gaps in words, for a report. */
export function describeGaps(g: IdleGaps): string {
  return `${g.runs} runs, idle ${(g.startupMs + g.betweenMs + g.tailMs).toFixed(0)} ms: start-up ${g.startupMs.toFixed(0)}, between tasks ${g.betweenMs.toFixed(0)} (longest ${g.longestBetweenMs.toFixed(0)}), tail ${g.tailMs.toFixed(0)}; ${(g.busyMs / Math.max(1, g.runs)).toFixed(1)} ms per run, ${g.executorMs.toFixed(0)} ms of it outside the function`
}
