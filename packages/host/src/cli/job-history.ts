import type { JobSummary } from '@tessera/runtime'
import { age, table } from './swarm-report.ts'

/** A peer id is long; its first characters tell submitters apart in a table. */
const SHORT_PEER = 12

/** What `tessera jobs` prints: one row per job, newest first, finished ones included. */
export function formatJobHistory(jobs: readonly JobSummary[], now = Date.now()): string {
  if (jobs.length === 0) return 'jobs: none (none is open, and no peer in the room remembers a finished one)'
  const rows = jobs.map((j) => [
    j.id,
    j.name,
    j.state,
    `${j.done}/${j.total}`,
    String(j.failed),
    j.submittedBy.length > SHORT_PEER ? `${j.submittedBy.slice(0, SHORT_PEER)}…` : j.submittedBy,
    new Date(j.createdAt).toISOString().replace(/\.\d+Z$/, 'Z'),
    age(now - j.createdAt),
  ])
  return table(['ID', 'NAME', 'STATE', 'DONE/TOTAL', 'FAILED', 'SUBMITTER', 'CREATED', 'AGE'], rows)
}
