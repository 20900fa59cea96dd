import * as Y from 'yjs'
import type { JobId } from '../ids.ts'
import { jobDocGuid, type ReadonlyDocMap } from './schema.ts'

/** Where a job's document holds its submitter's signed cancellation. */
export const CANCELLATION_KEY = 'cancelled'

/**
 * One job's document: its tasks and the claims, reports and failures on them.
 * Writes go through `swarm/writes.ts` only. Any peer can write any entry, so
 * the maps hold `unknown`: records are read through `JobIndex`, which checks
 * each one against the job's spec (`records.ts`) and ignores those that fail.
 */
export class JobDoc {
  readonly tasks: ReadonlyDocMap<unknown>
  readonly claims: ReadonlyDocMap<unknown>
  readonly backups: ReadonlyDocMap<unknown>
  readonly reports: ReadonlyDocMap<unknown>
  readonly failures: ReadonlyDocMap<unknown>
  readonly control: ReadonlyDocMap<unknown>
  /** The submitter's signed verdicts on an adaptive job's tasks (`swarm/verdicts.ts`). */
  readonly verdicts: ReadonlyDocMap<unknown>

  constructor(
    readonly id: JobId,
    readonly doc: Y.Doc = new Y.Doc({ guid: jobDocGuid(id) }),
  ) {
    this.tasks = doc.getMap('tasks')
    this.claims = doc.getMap('claims')
    this.backups = doc.getMap('backups')
    this.reports = doc.getMap('reports')
    this.failures = doc.getMap('failures')
    this.control = doc.getMap('control')
    this.verdicts = doc.getMap('verdicts')
  }

  /** The submitter's signed cancellation, unchecked (`JobIndex.cancelled` checks it against the spec). */
  get cancellation(): unknown {
    return this.control.get(CANCELLATION_KEY)
  }

  transact(fn: () => void, origin?: unknown): void {
    this.doc.transact(fn, origin)
  }
}
