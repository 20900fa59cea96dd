import type { PeerId } from '../ids.ts'
import type { Backup, Claim, Failure, JobSpec, Report, TaskId, TaskRecord, TaskVerdict } from '../swarm/schema.ts'

/** The state of one job as the scheduling functions read it. */
export interface JobView {
  readonly spec: JobSpec
  readonly cancelled: boolean
  task(id: TaskId): TaskRecord | undefined
  claim(id: TaskId): Claim | undefined
  backup(id: TaskId): Backup | undefined
  reports(id: TaskId): readonly Report[]
  failures(id: TaskId): readonly Failure[]
  /** The submitter's signed verdicts on the task, in an adaptive job (`swarm/verdicts.ts`). */
  verdict(id: TaskId): TaskVerdict | undefined
  /** Every task that may still be unfinished (finished ones may linger; callers check the phase). */
  openTasks(): Iterable<TaskId>
  /** Durations of the runs reported so far, for straggler detection and batch sizing. */
  reportedDurations(): readonly number[]
  /** The subject a reporter counts as for quorum (`peer/subjects.ts`); undefined: it counts for none. */
  subjectOf(peer: PeerId): string | undefined
}
