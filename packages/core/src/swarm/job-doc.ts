import * as Y from 'yjs'
import type { JobId } from '../ids.ts'
import { jobDocGuid, type Backup, type Claim, type Failure, type Report, type TaskRecord } from './schema.ts'

/** Typed access to one job's document: its tasks and the claims, reports and failures on them. */
export class JobDoc {
  readonly tasks: Y.Map<TaskRecord>
  readonly claims: Y.Map<Claim>
  readonly backups: Y.Map<Backup>
  readonly reports: Y.Map<Report>
  readonly failures: Y.Map<Failure>
  readonly control: Y.Map<boolean>

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
