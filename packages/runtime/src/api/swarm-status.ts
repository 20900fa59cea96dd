import type { Donor, JobTracker, PeerPort } from '@tessera/core'
import { summarizeJob, type JobSummary, type RememberedCounts } from './job-summary.ts'
import type { SwarmStatus } from './options.ts'

export interface StatusInput {
  readonly peer: PeerPort
  readonly tracker: JobTracker
  readonly donor: Donor | undefined
  readonly now: number
  readonly cacheLookups: number
  readonly cacheHits: number
  readonly localRuns: number
}

/** The swarm as this peer sees it: presence, the open jobs' tasks, the cache. */
export function swarmStatus(input: StatusInput): SwarmStatus {
  const presence = input.peer.presence.list()
  const totals = { queued: 0, running: 0, done: 0, failed: 0 }
  for (const index of input.tracker.openJobs()) {
    // A cancelled job stays open here until its document is let go; none of its tasks is queued or running any more.
    const state = input.peer.swarm.job(index.spec.id)?.state ?? 'open'
    const summary = summarizeJob({ ...index.spec, state }, index, input.now)
    totals.queued += summary.queued
    totals.running += summary.running
    totals.done += summary.done
    totals.failed += summary.failed
  }
  return {
    peers: presence.length,
    workers: presence.reduce((sum, p) => sum + p.workers, 0),
    ...totals,
    cacheEntries: input.peer.swarm.cache.size,
    cacheLookups: input.cacheLookups,
    cacheHits: input.cacheHits,
    executed: (input.donor?.runs ?? 0) + input.localRuns,
  }
}

/** The swarm's jobs, newest first: open ones always, finished ones up to `limit`. */
export function listJobs(peer: PeerPort, tracker: JobTracker, counts: RememberedCounts, limit: number): JobSummary[] {
  const entries = [...peer.swarm.jobEntries()].sort((a, b) => b.createdAt - a.createdAt)
  const open = entries.filter((e) => e.state === 'open')
  const finished = entries.filter((e) => e.state !== 'open').slice(0, Math.max(0, limit - open.length))
  return [...open, ...finished].sort((a, b) => b.createdAt - a.createdAt).map((entry) => counts.summarize(entry, tracker.get(entry.id)))
}
