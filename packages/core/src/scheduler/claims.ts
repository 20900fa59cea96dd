import type { PeerId } from '../ids.ts'
import type { Claim, ClaimTerms, TaskId } from '../swarm/schema.ts'
import { termsOf } from '../swarm/signed-claims.ts'
import type { JobView } from './job-view.ts'
import { claimOrder } from './priority.ts'
import { canRun, taskPhase, type PhaseOptions, type TaskPhase } from './task-phase.ts'

export interface ClaimDecision {
  readonly task: TaskId
  /** What to claim; the claimant signs it (`signClaims`) before writing it. */
  readonly claim: ClaimTerms
  /** A lapsed claim on the task, to be recorded as a lost lease in the same transaction. */
  readonly expired?: Claim
}

export interface SelectClaimsOptions extends PhaseOptions {
  readonly self: PeerId
  readonly now: number
  readonly limit: number
  readonly leaseMs: number
  /** Where to start looking, so that peers spread over the queue instead of colliding at its head. */
  readonly startAt?: number
  /** The claimant's workers: a batch of n keeps it busy for n / workers task times. */
  readonly workers?: number
  /** Tasks the claimant already holds, which run before this batch. */
  readonly queuedAhead?: number
  /** Tasks to leave alone although queued: the cache answers them, or another job computes their key. */
  readonly skip?: (task: TaskId) => boolean
}

export interface ClaimSelection {
  readonly decisions: ClaimDecision[]
  /** When nothing was claimable: the earliest time a lease seen in the scan can lapse. */
  readonly retryAt: number
}

/** The next batch of tasks `self` should claim: the highest priority first (`priority.ts`). */
export function selectClaims(view: JobView, options: SelectClaimsOptions): ClaimSelection {
  let retryAt = Number.POSITIVE_INFINITY
  if (view.cancelled || options.limit <= 0) return { decisions: [], retryAt }
  const decisions: ClaimDecision[] = []
  for (const task of claimOrder(view, options.startAt).tasks) {
    if (decisions.length >= options.limit) break
    const phase = taskPhase(view, task, options.now, options)
    if (phase.phase === 'running') retryAt = Math.min(retryAt, phase.claim.leaseUntil + (options.skewMs ?? 0) + 1)
    if (phase.phase === 'judging') retryAt = Math.min(retryAt, phase.until + (options.skewMs ?? 0) + 1)
    const decision = claimDecision(view, task, phase, options)
    if (decision !== undefined) decisions.push(decision)
  }
  return { decisions, retryAt }
}

/** The claim `self` would make of one task in `phase`, if it may run it now and `skip` leaves it. */
export function claimDecision(view: JobView, task: TaskId, phase: TaskPhase, options: SelectClaimsOptions): ClaimDecision | undefined {
  if (!canRun(view, task, options.self, phase) || phase.phase !== 'queued' || options.skip?.(task) === true) return undefined
  const claim: ClaimTerms = {
    peer: options.self,
    attempt: phase.attempt,
    claimedAt: options.now,
    leaseUntil: options.now + options.leaseMs,
    batch: Math.ceil((options.limit + (options.queuedAhead ?? 0)) / (options.workers ?? 1)),
  }
  return phase.expired === undefined ? { task, claim } : { task, claim, expired: phase.expired }
}

/**
 * After the settle window: is the claim still ours? Concurrent claims of one task
 * meet on one key, and Yjs keeps the same winner on every peer.
 */
export function holdsClaim(view: JobView, task: TaskId, self: PeerId, attempt: number): boolean {
  const claim = view.claim(task)
  return claim !== undefined && claim.peer === self && claim.attempt === attempt
}

/**
 * Claims of `self` that need renewing, as terms to sign: past half their
 * lease; or overwritten by something that is no claim (a stranger's forgery,
 * or a deletion), in which case `own` (what `self` last wrote) is written back
 * at once. A valid claim of another peer is left alone: that peer won the task.
 */
export function leasesToRenew(
  view: JobView,
  held: Iterable<TaskId>,
  self: PeerId,
  now: number,
  leaseMs: number,
  own: (task: TaskId) => ClaimTerms | undefined = () => undefined,
): Array<{ task: TaskId; claim: ClaimTerms }> {
  const renewals: Array<{ task: TaskId; claim: ClaimTerms }> = []
  for (const task of held) {
    const current: Claim | undefined = view.claim(task)
    const claim = current ?? own(task)
    if (claim === undefined || claim.peer !== self) continue
    if (current === undefined || claim.leaseUntil - now < leaseMs / 2) renewals.push({ task, claim: { ...termsOf(claim), leaseUntil: now + leaseMs } })
  }
  return renewals
}
