import type { PeerId } from '../ids.ts'
import type { Claim, Failure, TaskId } from './schema.ts'

/**
 * Each claimant's latest signed lease per task, as one reader saw them. A
 * lost lease is recorded with the lapsed claim; a stranger holding an older,
 * passed lease of a claimant that has renewed since could record it as lost
 * (hiding the renewal under a forgery of the claim). A reader that saw the
 * renewal knows better: a lapse of a lease its claimant outlived, for the
 * same attempt, does not stand here.
 */
export class LatestLeases {
  readonly #byTask = new Map<TaskId, Map<PeerId, { readonly attempt: number; readonly leaseUntil: number }>>()

  /** `claim` is signed and stands under `task` (the caller checked it). */
  note(task: TaskId, claim: Claim): void {
    let leases = this.#byTask.get(task)
    if (leases === undefined) this.#byTask.set(task, (leases = new Map()))
    const known = leases.get(claim.peer)
    if (known === undefined || claim.attempt > known.attempt || (claim.attempt === known.attempt && claim.leaseUntil > known.leaseUntil)) {
      leases.set(claim.peer, { attempt: claim.attempt, leaseUntil: claim.leaseUntil })
    }
  }

  /** `failures` less the lapses whose claimant renewed that attempt's lease after the lapsed one. */
  standing(task: TaskId, failures: readonly Failure[]): readonly Failure[] {
    const leases = this.#byTask.get(task)
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
    this.#byTask.delete(task)
  }
}
