import type { PeerId } from '../ids.ts'
import type { Claim, Failure, TaskId } from './schema.ts'

/** Claim writes seen on one task before they are checked; past this they are checked at once. */
const MAX_UNCHECKED = 8

/**
 * Each claimant's latest signed lease per task, as one reader saw them. A
 * lost lease is recorded with the lapsed claim; a stranger holding an older,
 * passed lease of a claimant that has renewed since could record it as lost
 * (hiding the renewal under a forgery of the claim). A reader that saw the
 * renewal knows better: a lapse of a lease its claimant outlived, for the
 * same attempt, does not stand here.
 *
 * Every claim write is noted as it arrives but checked only when a lapse on
 * its task needs judging (or once a task has had `MAX_UNCHECKED` writes):
 * most tasks settle with no failure at all, and checking every claim of
 * every peer would cost a signature check per batch and an audit path per claim.
 */
export class LatestLeases {
  readonly #latest = new Map<TaskId, Map<PeerId, { readonly attempt: number; readonly leaseUntil: number }>>()
  readonly #unchecked = new Map<TaskId, unknown[]>()

  /** `check` gives the claim `raw` is, under `task`, if its claimant signed it there. */
  constructor(private readonly check: (task: TaskId, raw: unknown) => Claim | undefined) {}

  /** A claim write arrived under `task` (anything, a pack's key too: it is checked before it counts). */
  seen(task: TaskId, raw: unknown): void {
    if ((typeof raw !== 'object' || raw === null) && typeof raw !== 'string') return
    const unchecked = this.#unchecked.get(task) ?? []
    unchecked.push(raw)
    this.#unchecked.set(task, unchecked)
    if (unchecked.length >= MAX_UNCHECKED) this.#checkSeen(task)
  }

  /** `failures` less the lapses whose claimant renewed that attempt's lease after the lapsed one. */
  standing(task: TaskId, failures: readonly Failure[]): readonly Failure[] {
    if (!failures.some((failure) => failure.lapsed !== undefined)) return failures
    this.#checkSeen(task)
    const leases = this.#latest.get(task)
    if (leases === undefined) return failures
    const outlived = (failure: Failure): boolean => {
      if (failure.lapsed === undefined) return false
      const latest = leases.get(failure.peer)
      return latest !== undefined && latest.attempt === failure.attempt && latest.leaseUntil > failure.lapsed.leaseUntil
    }
    return failures.some(outlived) ? failures.filter((failure) => !outlived(failure)) : failures
  }

  /** The task settled: its lapses no longer matter. */
  forget(task: TaskId): void {
    this.#latest.delete(task)
    this.#unchecked.delete(task)
  }

  #checkSeen(task: TaskId): void {
    const unchecked = this.#unchecked.get(task)
    if (unchecked === undefined) return
    this.#unchecked.delete(task)
    for (const raw of unchecked) {
      const claim = this.check(task, raw)
      if (claim !== undefined) this.#note(task, claim)
    }
  }

  #note(task: TaskId, claim: Claim): void {
    let leases = this.#latest.get(task)
    if (leases === undefined) this.#latest.set(task, (leases = new Map()))
    const known = leases.get(claim.peer)
    if (known === undefined || claim.attempt > known.attempt || (claim.attempt === known.attempt && claim.leaseUntil > known.leaseUntil)) {
      leases.set(claim.peer, { attempt: claim.attempt, leaseUntil: claim.leaseUntil })
    }
  }
}
