import type { TaskKey } from '../ids.ts'
import type { JobSpec, TaskId, TaskVerdict } from './schema.ts'
import { checkVerdict, mergeVerdicts } from './verdicts.ts'

/** What the submitter's checked verdicts say per task (adaptive jobs only), as one reader indexed them. */
export class VerdictIndex {
  readonly #verdicts = new Map<TaskId, TaskVerdict>()
  /** Verdict records naming a task not here yet: checked again as tasks arrive. */
  readonly #waiting = new Set<string>()

  constructor(
    private readonly spec: JobSpec,
    private readonly keyOf: (task: TaskId) => TaskKey | undefined,
  ) {}

  get(task: TaskId): TaskVerdict | undefined {
    return this.#verdicts.get(task)
  }

  /** Keys of verdict records that named a task not here yet (a copy: putting them again changes the set). */
  waiting(): string[] {
    return [...this.#waiting]
  }

  /** Indexes a verdict record the submitter signed; returns the tasks it names. */
  put(key: string, raw: unknown): TaskId[] {
    const check = checkVerdict(this.spec, key, raw, this.keyOf)
    if (check.kind === 'waiting') this.#waiting.add(key)
    else this.#waiting.delete(key)
    return check.kind === 'valid' ? mergeVerdicts(this.#verdicts, check.record) : []
  }
}
