import type { JobIndex, KeywordArgs, LogStream, PeerId, TaskKey } from '@tessera/core'


/** A call as `JobRun` plans it (declared here too, so neither file imports the other). */
interface PlannedCall {
  readonly index: number
  readonly key: TaskKey
}

/** One line a task printed, as `onLog` receives it. */
export interface TaskLog {
  /** The call's index in the batch (0 for a single call), and its arguments. */
  readonly index: number
  readonly args: KeywordArgs
  readonly stream: LogStream
  /** Control characters (terminal escapes among them) are replaced: any peer may write any text. */
  readonly text: string
  /** The donor that ran it. */
  readonly peer: PeerId
  /** Set on the last line of a run whose output was cut at `TASK_LOG_LIMITS`. */
  readonly truncated: boolean
}

/** A line before the batch adds the call's arguments. */
export type RunLog = Omit<TaskLog, 'index' | 'args'>

// C0 controls but tab and newline, DEL, C1 controls, and bidirectional overrides.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

export function safeLogText(text: string): string {
  return text.replace(UNSAFE, '\ufffd')
}

/**
 * Hands the console output in a job's reports to `onLog`, once per report
 * (per peer and attempt), for the calls of this batch. Reports are read
 * through the job index, so only schema-checked records are shown.
 */
export class LogFollower {
  readonly #delivered = new Set<string>()
  readonly #changed = new Set<string>()
  /**
   * Report keys of this batch's tasks the job index has not taken in yet (it
   * holds a report back until its task record is here): looked at again on
   * the next poll, at most a few per task, so junk keys cannot grow the set.
   */
  readonly #waiting = new Set<string>()
  #watched: JobIndex | undefined
  #unobserve: (() => void) | undefined

  constructor(
    private readonly keyOfTask: ReadonlyMap<string, TaskKey>,
    private readonly callsOf: (key: TaskKey) => readonly PlannedCall[],
    private readonly onLog: (call: PlannedCall, line: RunLog) => void,
  ) {}

  /** Delivers what arrived since the last call; call after the job index has taken the changes in. */
  poll(job: JobIndex | undefined): void {
    if (job === undefined) return
    if (this.#watched !== job) this.#watch(job)
    const changed = [...this.#waiting, ...this.#changed]
    this.#changed.clear()
    this.#waiting.clear()
    for (const reportKey of changed) {
      const slash = reportKey.indexOf('/')
      const task = reportKey.slice(0, slash)
      const peer = reportKey.slice(slash + 1)
      const key = this.keyOfTask.get(task)
      if (key === undefined) continue
      const report = job.reports(task).find((r) => r.peer === peer)
      if (report === undefined && this.#waiting.size < this.keyOfTask.size * 4) this.#waiting.add(reportKey)
      if (report?.logs === undefined) continue
      const id = `${reportKey}@${report.attempt}`
      if (this.#delivered.has(id)) continue
      this.#delivered.add(id)
      const { lines, truncated } = report.logs
      const call = this.callsOf(key)[0]
      if (call === undefined) continue
      lines.forEach((line, i) =>
        this.onLog(call, { stream: line.stream, text: safeLogText(line.text), peer: report.peer, truncated: truncated && i === lines.length - 1 }),
      )
    }
  }

  close(): void {
    this.#unobserve?.()
    this.#unobserve = undefined
  }

  #watch(job: JobIndex): void {
    this.close()
    this.#watched = job
    for (const key of job.job.reports.keys()) this.#changed.add(key)
    const onReports = (event: { keysChanged: Set<string> }): void => {
      for (const key of event.keysChanged) this.#changed.add(key)
    }
    job.job.reports.observe(onReports)
    this.#unobserve = () => job.job.reports.unobserve(onReports)
  }
}
