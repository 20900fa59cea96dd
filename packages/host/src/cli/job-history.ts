import type { JobSummary } from '@tessera/runtime'
import { age, table } from './swarm-report.ts'

/** A peer id is long; its first characters tell submitters apart in a table. */
const SHORT_PEER = 12

/**
 * What `tessera jobs` prints: one row per job, newest first, finished ones
 * included. With none, and no `--cache-dir` read, where else they may be.
 */
export function formatJobHistory(jobs: readonly JobSummary[], options: { readonly now?: number; readonly readCacheDir?: boolean } = {}): string {
  const now = options.now ?? Date.now()
  if (jobs.length === 0) {
    const none = 'jobs: none (none is open, and no peer in the room remembers a finished one)'
    return options.readCacheDir === true ? none : `${none}\n--cache-dir .tessera also reads the jobs a host stored there`
  }
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
