import type { JobId } from '../ids.ts'
import type { SwarmDoc } from './swarm-doc.ts'
import type { JobDoc } from './job-doc.ts'

/**
 * Forgets a job. Its claims, reports and failures lived in its own document,
 * which is destroyed here, so the swarm document keeps only what lasts: the
 * result cache and the values it names. A peer that joins later never loads the
 * finished job at all.
 */
export function dropJob(swarm: SwarmDoc, id: JobId, job?: JobDoc): void {
  swarm.jobs.delete(id)
  job?.doc.destroy()
}
