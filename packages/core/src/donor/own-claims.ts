import type { Identity } from '../identity/identity.ts'
import type { JobId, PeerId } from '../ids.ts'
import { holdsClaim, leasesToRenew, type ClaimDecision } from '../scheduler/claims.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import type { Claim, ClaimTerms, TaskId } from '../swarm/schema.ts'
import { lapsedLease, signClaims } from '../swarm/signed-claims.ts'
import { claimTask, renewClaim } from '../swarm/writes.ts'
import { chunked } from './write-back.ts'

/**
 * A donor's own claims: signed one batch per transaction, and remembered, so
 * that a claim a stranger overwrote (with something that is no claim) or
 * deleted is written back. Any peer can write any key; only the claimant can
 * sign its claim, so the claimant is the one to put it back.
 */
export class OwnClaims {
  readonly #claims = new Map<string, Claim>()

  constructor(private readonly identity: Identity) {}

  /** Signs claims of one job as one batch, remembering them; tasks whose record is gone are left out. */
  sign<T extends { readonly task: TaskId; readonly claim: ClaimTerms }>(view: JobIndex, items: readonly T[]): Array<Omit<T, 'claim'> & { claim: Claim }> {
    const keyed = items.flatMap((item) => {
      const key = view.task(item.task)?.key
      return key === undefined ? [] : [{ item, key }]
    })
    const claims = signClaims(this.identity, view.spec.id, keyed.map(({ item, key }) => ({ task: item.task, key, terms: item.claim })))
    return keyed.map(({ item }, i) => {
      const claim = claims[i] as Claim
      this.#claims.set(keyOf(view.spec.id, item.task), claim)
      return { ...item, claim }
    })
  }

  /** Signs new claims of one job under one signature and writes them; a lost lease carries the lapsed claim as its claimant signed it. */
  write(view: JobIndex, decisions: readonly ClaimDecision[], now: number): Array<{ task: TaskId; claim: Claim }> {
    const signed = this.sign(view, decisions)
    for (const chunk of chunked(signed)) view.job.transact(() => {
      for (const { task, claim, expired } of chunk) claimTask(view.job, task, claim, expired === undefined ? undefined : lapsedLease(expired, now))
    })
    return signed
  }

  /**
   * Whether the donor still holds its claim of `task` (attempt `attempt`)
   * after the settle window. A valid claim of another peer won; but where
   * something that is no claim stands, this donor's own is written back.
   */
  holds(view: JobIndex, task: TaskId, attempt: number): boolean {
    const self: PeerId = this.identity.peer
    if (view.claim(task) !== undefined) return holdsClaim(view, task, self, attempt)
    const own = this.#claims.get(keyOf(view.spec.id, task))
    if (own === undefined || own.attempt !== attempt || view.task(task) === undefined) return false
    renewClaim(view.job, task, own)
    return true
  }

  /** Renews, under one signature per job, the held claims that need it (`leasesToRenew`), and forgets the rest. */
  renew(slots: Iterable<{ readonly job: JobId; readonly task: TaskId; readonly backup: boolean }>, jobs: (id: JobId) => JobIndex | undefined, now: number): void {
    // A backup run holds no claim of its own.
    const held = new Map<JobId, TaskId[]>()
    for (const slot of slots) {
      if (slot.backup) continue
      const tasks = held.get(slot.job) ?? []
      tasks.push(slot.task)
      held.set(slot.job, tasks)
    }
    const holding = new Set([...held].flatMap(([job, tasks]) => tasks.map((task) => keyOf(job, task))))
    for (const key of this.#claims.keys()) if (!holding.has(key)) this.#claims.delete(key)
    for (const [job, tasks] of held) {
      const view = jobs(job)
      if (view === undefined) continue
      const renewals = leasesToRenew(view, tasks, this.identity.peer, now, view.spec.leaseMs, (task) => this.#claims.get(keyOf(job, task)))
      if (renewals.length === 0) continue
      const signed = this.sign(view, renewals)
      for (const chunk of chunked(signed)) view.job.transact(() => {
        for (const { task, claim } of chunk) renewClaim(view.job, task, claim)
      })
    }
  }

  forget(job: JobId, task: TaskId): void {
    this.#claims.delete(keyOf(job, task))
  }
}

const keyOf = (job: JobId, task: TaskId): string => `${job} ${task}`
