import * as Y from 'yjs'
import type { JobId } from '../ids.ts'
import { jobDocGuid, type Backup, type Claim, type Failure, type ReadonlyDocMap, type Report, type TaskRecord } from './schema.ts'

/**
 * Read access to one job's document: its tasks and the claims, reports and
 * failures on them. Writes go through `swarm/writes.ts` only.
 */
export class JobDoc {
  readonly tasks: ReadonlyDocMap<TaskRecord>
  readonly claims: ReadonlyDocMap<Claim>
  readonly backups: ReadonlyDocMap<Backup>
  readonly reports: ReadonlyDocMap<Report>
  readonly failures: ReadonlyDocMap<Failure>
  readonly control: ReadonlyDocMap<boolean>

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
  }

  get cancelled(): boolean {
    return this.control.get('cancelled') === true
  }

  transact(fn: () => void, origin?: unknown): void {
    this.doc.transact(fn, origin)
  }
}
