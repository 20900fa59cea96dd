import type { Identity } from '../identity/identity.ts'
import type { JobId, PeerId, TaskKey } from '../ids.ts'
import { holdsClaim, leasesToRenew, type ClaimDecision } from '../scheduler/claims.ts'
import { CLAIM_PACK_PREFIX, makeClaimPack, type ClaimPack } from '../swarm/claim-packs.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import type { Claim, ClaimTerms, TaskId } from '../swarm/schema.ts'
import { lapsedLease, signClaims, termsOf } from '../swarm/signed-claims.ts'
import { claimTask, putClaimPack, recordFailure, renewClaim } from '../swarm/writes.ts'
import { chunked } from './write-back.ts'

/** A pack this donor wrote (`claim-packs.ts`), as it last wrote it. */
interface OwnPack {
  readonly job: JobId
  readonly key: string
  record: ClaimPack
  /** Per task of `record`, its terms as last signed. */
  terms: ClaimTerms[]
}

/**
 * A donor's own claims: signed one batch per transaction, written as one pack
 * per batch, and remembered, so that a claim a stranger overwrote (with
 * something that is no claim) or deleted is written back. Any peer can write
 * any key; only the claimant can sign its claim, so the claimant is the one to
 * put it back.
 */
export class OwnClaims {
  /** Per `job task`, the claim as this donor last signed it. */
  readonly #claims = new Map<string, Claim>()
  /** Per `job task`, the pack that holds its claim. */
  readonly #packOf = new Map<string, OwnPack>()
  readonly #prefix: string
  #packs = 0
  /** Renewals are looked for at most this often: a tenth of the shortest lease held. */
  #quietUntil = Number.NEGATIVE_INFINITY

  /** `startedAt` tells this donor's pack keys from those of an earlier run under the same identity. */
  constructor(
    private readonly identity: Identity,
    startedAt = 0,
  ) {
    // Eight characters of the key (48 bits) tell peers apart, even a simulation's hundreds started at one instant; the start time, restarts.
    this.#prefix = `${CLAIM_PACK_PREFIX}${identity.peer.slice(1, 9)}${Math.floor(startedAt).toString(36).slice(-4)}.`
  }

  /** Signs claims of one job as one batch, remembering them; tasks whose record is gone are left out. */
  sign<T extends { readonly task: TaskId; readonly claim: ClaimTerms }>(view: JobIndex, items: readonly T[]): Array<Omit<T, 'claim'> & { claim: Claim; key: TaskKey }> {
    const keyed = items.flatMap((item) => {
      const key = view.task(item.task)?.key
      return key === undefined ? [] : [{ item, key }]
    })
    const claims = signClaims(this.identity, view.spec.id, keyed.map(({ item, key }) => ({ task: item.task, key, terms: item.claim })))
    return keyed.map(({ item, key }, i) => {
      const claim = claims[i] as Claim
      this.#claims.set(keyOf(view.spec.id, item.task), claim)
      return { ...item, claim, key }
    })
  }

  /**
   * Signs new claims of one job under one signature and writes them as one
   * pack (each task's key naming it); a lost lease carries the lapsed claim as
   * its claimant signed it.
   */
  write(view: JobIndex, decisions: readonly ClaimDecision[], now: number): Array<{ task: TaskId; claim: Claim }> {
    const signed = this.sign(view, decisions)
    const job = view.spec.id
    const record = makeClaimPack(job, signed)
    if (record === undefined) {
      for (const chunk of chunked(signed)) view.job.transact(() => {
        for (const { task, claim, expired } of chunk) claimTask(view.job, task, claim, expired === undefined ? undefined : lapsedLease(expired, now))
      })
      return signed
    }
    const pack: OwnPack = { job, key: `${this.#prefix}${(this.#packs++).toString(36)}`, record, terms: signed.map((item) => termsOf(item.claim)) }
    const lapses = chunked(signed.filter((item) => item.expired !== undefined))
    const last = lapses.pop() ?? []
    for (const chunk of lapses) view.job.transact(() => {
      for (const { task, expired } of chunk) recordFailure(view.job, task, lapsedLease(expired!, now))
    })
    view.job.transact(() => {
      putClaimPack(view.job, pack.key, record)
      for (const { task, expired } of last) recordFailure(view.job, task, lapsedLease(expired!, now))
      for (const { task } of signed) claimTask(view.job, task, pack.key)
    })
    for (const { task } of signed) this.#packOf.set(keyOf(job, task), pack)
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
    const pack = this.#packOf.get(keyOf(view.spec.id, task))
    if (pack === undefined) renewClaim(view.job, task, own)
    else view.job.transact(() => this.#writeBack(view, pack, [task]))
    return true
  }

  /**
   * Renews, under one signature per job, the held claims that need it
   * (`leasesToRenew`), and forgets the rest. A donor calls this every tick;
   * it looks at most ten times per lease (a claim is renewed by 60% of its
   * lease at the latest, an overwritten one written back as soon).
   */
  renew(slots: Iterable<{ readonly job: JobId; readonly task: TaskId; readonly backup: boolean }>, jobs: (id: JobId) => JobIndex | undefined, now: number): void {
    if (now < this.#quietUntil) return
    let shortestLease = Number.POSITIVE_INFINITY
    // A backup run holds no claim of its own.
    const held = new Map<JobId, TaskId[]>()
    for (const slot of slots) {
      if (slot.backup) continue
      const tasks = held.get(slot.job) ?? []
      tasks.push(slot.task)
      held.set(slot.job, tasks)
    }
    const holding = new Set([...held].flatMap(([job, tasks]) => tasks.map((task) => keyOf(job, task))))
    for (const key of this.#claims.keys()) if (!holding.has(key)) this.#forget(key)
    for (const [job, tasks] of held) {
      const view = jobs(job)
      if (view === undefined) continue
      shortestLease = Math.min(shortestLease, view.spec.leaseMs)
      const packs = new Set<OwnPack>()
      const single: TaskId[] = []
      for (const task of tasks) {
        const pack = this.#packOf.get(keyOf(job, task))
        if (pack === undefined) single.push(task)
        else packs.add(pack)
      }
      for (const pack of packs) this.#renewPack(view, pack, now)
      const renewals = leasesToRenew(view, single, this.identity.peer, now, view.spec.leaseMs, (task) => this.#claims.get(keyOf(job, task)))
      if (renewals.length === 0) continue
      const signed = this.sign(view, renewals)
      for (const chunk of chunked(signed)) view.job.transact(() => {
        for (const { task, claim } of chunk) renewClaim(view.job, task, claim)
      })
    }
    this.#quietUntil = now + (Number.isFinite(shortestLease) ? shortestLease / 10 : 0)
  }

  forget(job: JobId, task: TaskId): void {
    this.#forget(keyOf(job, task))
  }

  #forget(key: string): void {
    this.#claims.delete(key)
    this.#packOf.delete(key)
  }

  /**
   * Renews a pack's held tasks once one of them is past half its lease, or at
   * once where a task's claim no longer reads as a claim (the pack or the
   * task's key overwritten). Tasks no longer held keep their leases, which
   * lapse; a task another peer won is left to it.
   */
  #renewPack(view: JobIndex, pack: OwnPack, now: number): void {
    const leaseMs = view.spec.leaseMs
    const renewed = new Set<number>()
    const missing: TaskId[] = []
    let due = false
    pack.record.tasks.forEach((task, i) => {
      if (this.#packOf.get(keyOf(pack.job, task)) !== pack) return
      const current = view.claim(task)
      if (current !== undefined && current.peer !== this.identity.peer) return
      if (current === undefined) missing.push(task)
      if (current === undefined || pack.terms[i]!.leaseUntil - now < leaseMs / 2) due = true
      renewed.add(i)
    })
    if (!due) return
    const terms = pack.terms.map((t, i) => (renewed.has(i) ? { ...t, leaseUntil: now + leaseMs } : t))
    const signed = this.sign(view, pack.record.tasks.map((task, i) => ({ task, claim: terms[i]! })))
    // Signing remembers every claim of the pack; only those of held tasks are this donor's to write back.
    for (const { task } of signed) if (this.#packOf.get(keyOf(pack.job, task)) !== pack) this.#claims.delete(keyOf(pack.job, task))
    const record = makeClaimPack(pack.job, signed)
    if (record === undefined) {
      // Nothing left to pack (every task's record gone) or a lease an offset cannot spell: the held claims go back to claims of their own.
      for (const { task } of signed) this.#packOf.delete(keyOf(pack.job, task))
      view.job.transact(() => {
        for (const { task, claim } of signed) if (renewed.has(pack.record.tasks.indexOf(task))) renewClaim(view.job, task, claim)
      })
      return
    }
    pack.record = record
    pack.terms = signed.map((item) => termsOf(item.claim))
    view.job.transact(() => this.#writeBack(view, pack, missing))
  }

  /** Writes `pack` as this donor last made it, unless it stands, and the keys of `tasks` naming it. */
  #writeBack(view: JobIndex, pack: OwnPack, tasks: readonly TaskId[]): void {
    if (view.job.claims.get(pack.key) !== pack.record) putClaimPack(view.job, pack.key, pack.record)
    for (const task of tasks) claimTask(view.job, task, pack.key)
  }
}

const keyOf = (job: JobId, task: TaskId): string => `${job} ${task}`
