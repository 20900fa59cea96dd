import type { TaskId } from '../swarm/schema.ts'
import type { JobView } from './job-view.ts'

/**
 * Rendezvous designation of replicas (scenario 2 of docs/trust.md): for each
 * task, every subject that may run its next replica is ranked by a hash of
 * (job, task, subject), and the top `needed` are its designees. Whoever
 * answers fastest then no longer picks whom it is paired with: the subjects
 * of a task's replicas are those the hash picked, as random as a draw, so
 * two colluding subjects meet on a task about as often as random pairing
 * says. Others may take a replica only when it has waited: first the next
 * `BACKUP_RANKS` ranks, after `graceMs`; then one more rank every
 * `openStepMs`, so no task waits for ever on a designee that never comes.
 * Honest donors follow this; it cannot bind a client that ignores it
 * (docs/security/open-points.md).
 */

/** Ranks past the designees that may take a replica once it has waited `graceMs`. */
export const BACKUP_RANKS = 2

/** FNV-1a over the string's UTF-16 code units. */
export function stringHash(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

/** MurmurHash3's finaliser: every input bit reaches every output bit. */
function mix(value: number): number {
  let h = value >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** The weight of a subject for a task (both hashed with `stringHash`); the highest weight ranks first. */
export function rendezvousWeight(taskHash: number, subjectHash: number): number {
  return mix(taskHash ^ mix(subjectHash ^ 0x9e3779b9))
}

export interface Designation {
  /** Where the subject ranks among those that may run the next replica (0 first). */
  readonly rank: number
  /** How many replicas the task still wants from new subjects: that many ranks are designated. */
  readonly needed: number
  /** Someone reported on the task: its next replica picks that reporter's partner. */
  readonly partner: boolean
}

/**
 * Where `self` ranks for the next replica of `task`, among `candidates`
 * (subject → `stringHash(subject)`: the live subjects with workers, as this
 * peer sees them) and itself. Left out: subjects that reported on the task
 * (they cannot run it again, `canRun`), and those that claimed it and let the
 * claim lapse or failed it (a frozen tab stays in presence; it had its turn).
 */
export function designation(view: JobView, task: TaskId, self: string, candidates: ReadonlyMap<string, number>): Designation {
  const reporters = new Set<string>()
  for (const report of view.reports(task)) {
    const subject = view.subjectOf(report.peer)
    if (subject !== undefined) reporters.add(subject)
  }
  const needed = Math.max(1, view.spec.quorum - reporters.size)
  const passed = new Set(reporters)
  // Only queued tasks are ranked, so a claim still on the task has lapsed (or is a reporter's).
  for (const peer of [view.claim(task)?.peer, ...view.failures(task).map((failure) => failure.peer)]) {
    const subject = peer === undefined ? undefined : view.subjectOf(peer)
    if (subject !== undefined && subject !== self) passed.add(subject)
  }
  const taskHash = stringHash(`${view.spec.id}\u0000${task}`)
  const own = rendezvousWeight(taskHash, candidates.get(self) ?? stringHash(self))
  let rank = 0
  for (const [subject, hash] of candidates) {
    if (subject === self || passed.has(subject)) continue
    const weight = rendezvousWeight(taskHash, hash)
    // Ties (one in 2^32) go to the smaller subject, the same on every peer.
    if (weight > own || (weight === own && subject < self)) rank++
  }
  return { rank, needed, partner: reporters.size > 0 }
}

export interface OpeningTimes {
  readonly graceMs: number
  readonly openStepMs: number
}

/**
 * A replica that picks a partner waits this many graces per extra rank, and
 * gets no backup ranks: a fast colluder would win every race it is let into,
 * so each extra rank let in would raise its odds of pairing with its partner.
 */
export const PARTNER_WAIT = 3

/** How many ranks may take a replica that has waited `waitedMs`. */
export function claimWindow(designation: Designation, waitedMs: number, times: OpeningTimes): number {
  const { needed } = designation
  if (designation.partner) return needed + Math.floor(waitedMs / (PARTNER_WAIT * times.graceMs))
  if (waitedMs < times.graceMs) return needed
  return needed + BACKUP_RANKS + Math.floor((waitedMs - times.graceMs) / times.openStepMs)
}

/** When a replica that started waiting at `since` lets in its next rank. */
export function nextOpening(designation: Designation, since: number, now: number, times: OpeningTimes): number {
  const waited = now - since
  if (designation.partner) {
    const step = PARTNER_WAIT * times.graceMs
    return since + (Math.floor(waited / step) + 1) * step
  }
  if (waited < times.graceMs) return since + times.graceMs
  return since + times.graceMs + (Math.floor((waited - times.graceMs) / times.openStepMs) + 1) * times.openStepMs
}

/**
 * The grace a designee gets, from the job's reported run times: a few median
 * runs, at least `minMs` (a designee claims in batches, one every
 * `minMs` or so), at most a quarter lease.
 */
export function graceFor(durations: readonly number[], minMs: number, leaseMs: number): number {
  const recent = durations.slice(-64)
  const sorted = [...recent].sort((a, b) => a - b)
  const median = sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] as number)
  return Math.min(Math.max(4 * median, minMs), Math.max(leaseMs / 4, minMs))
}
