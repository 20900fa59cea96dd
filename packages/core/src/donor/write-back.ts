import { toErrorRecord } from '../errors.ts'
import type { Address, JobId, PeerId, TaskKey } from '../ids.ts'
import type { Identity } from '../identity/identity.ts'
import type { Execution } from '../interfaces/executor.ts'
import { taskPhase } from '../scheduler/task-phase.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import { outcomeOfEntry, type CacheEntry, type Failure, type Outcome, type Report, type TaskId } from '../swarm/schema.ts'
import { outcomeId } from '../scheduler/outcome.ts'
import { outcomeStatement, rememberOwnOutcome, signStatements, type OutcomeProof, type SignedOutcome, type Statement } from '../swarm/outcome-proofs.ts'
import { timeoutFailure, timeoutStatement } from '../swarm/signed-claims.ts'
import { capErrorRecord } from '../swarm/records.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import type { ValueStore } from '../swarm/value-store.ts'
import { cacheOutcomes, putReport, putReportPack, recordFailure } from '../swarm/writes.ts'
import { makeReportPack, REPORT_PACK_PREFIX } from '../swarm/report-packs.ts'
import { boundTaskLogs } from '../pure/task-logs.ts'
import { strengthOf } from '../swarm/cache-strength.ts'
import { OwnReports } from './own-reports.ts'

/** A task this donor holds: claimed, or a backup run of someone else's straggler. */
export interface Slot {
  readonly job: JobId
  readonly task: TaskId
  readonly attempt: number
  /** A backup run of someone else's straggler: holds no claim. */
  readonly backup: boolean
  /** Claimed by hand-off as the only task waiting on this peer's result: a chain's next link (`chainsAhead`). */
  readonly chainLink?: boolean
}

export interface Finished extends Slot {
  readonly execution: Execution
  /** How long the run waited for its arguments' values before it could start (what fetching ahead did not hide). */
  readonly fetchMs?: number
  /** Encoded and addressed here (`run-task.ts`): the store need not hash the bytes again. */
  readonly result?: { address: Address; bytes: Uint8Array }
}

export interface WriteBackOptions {
  readonly identity: Identity
  readonly swarm: SwarmDoc
  readonly values: ValueStore
  readonly jobs: (id: JobId) => JobIndex | undefined
  readonly reportFlushMs: number
  readonly random?: () => number
  readonly onError?: (error: unknown) => void
}

/**
 * What a donor writes back after running tasks: result values, reports (or a
 * timeout as a failure) and cache entries, in batches; and the cache entries
 * that a reporter who died before caching left out.
 */
export class WriteBack {
  #finished: Finished[] = []
  #firstFinishedAt: number | undefined
  /** Per job: how much of its settled-task log this peer has looked at. */
  readonly #settledSeen = new Map<JobId, number>()
  #awaitingCache: Array<{ job: JobId; task: TaskId; at: number }> = []
  readonly #ownReports: OwnReports

  constructor(private readonly o: WriteBackOptions) {
    this.#ownReports = new OwnReports(o.identity.peer)
  }

  /** Puts back this donor's reports of unsettled tasks that a stranger deleted or replaced (`own-reports.ts`). */
  restoreOwnReports(now: number): number {
    return this.#ownReports.restore(this.o.jobs, now)
  }

  add(finished: Finished, now: number): void {
    this.#firstFinishedAt ??= now
    this.#finished.push(finished)
  }

  /** Writes what has finished once nothing else is held here, or once the oldest has waited `reportFlushMs`. */
  flush(now: number, idle: boolean): void {
    if (this.#finished.length === 0) return
    if (!idle && now - (this.#firstFinishedAt ?? now) < this.o.reportFlushMs) return
    const batch = this.#finished.splice(0)
    this.#firstFinishedAt = undefined
    this.#write(batch, now).catch((error: unknown) => {
      try {
        ;(this.o.onError ?? console.error)(error)
      } catch {
        // Nothing a reporter does may become an unhandled rejection.
      }
    })
  }

  // Values first, then reports, then cache entries: a peer that dies part way
  // leaves at worst an unused value or an uncached result (which other peers
  // fill in), never a report naming bytes that nobody has.
  async #write(batch: Finished[], now: number): Promise<void> {
    const { swarm, values } = this.o
    for (const f of batch) if (f.result !== undefined) await values.prepare(f.result.address, f.result.bytes, true)
    for (const chunk of chunked(batch.filter((f) => f.result !== undefined))) {
      swarm.transact(() => {
        for (const f of chunk) if (f.result !== undefined) values.record(f.result.address, f.result.bytes, 'result')
      })
    }
    const { reports, timeouts } = this.#sign(batch, now)
    const byJob = new Map<JobId, Finished[]>()
    for (const f of batch) byJob.set(f.job, [...(byJob.get(f.job) ?? []), f])
    for (const [id, finished] of byJob) {
      const view = this.o.jobs(id)
      if (view === undefined) continue
      for (const chunk of chunked(finished.filter((f) => timeouts.has(f)))) view.job.transact(() => chunk.forEach((f) => recordFailure(view.job, f.task, timeouts.get(f)!)))
      this.#writeReports(view, finished.flatMap((f) => (reports.has(f) ? [{ task: f.task, report: reports.get(f)! }] : [])), now)
    }
    this.#cacheAccepted(batch, now)
  }

  /**
   * The reporter of an accepted result may die before caching it. Every peer
   * notes when it sees a task settle, and after a grace period (jittered, so
   * peers rarely write together) caches any accepted result still missing.
   */
  fillMissingCache(now: number): void {
    const { swarm } = this.o
    for (const { id } of swarm.jobEntries()) {
      const view = this.o.jobs(id)
      if (view === undefined) continue
      const seen = this.#settledSeen.get(id) ?? 0
      const settled = view.settledLog()
      for (let i = seen; i < settled.length; i++) {
        const grace = this.o.reportFlushMs * (4 + 4 * (this.o.random?.() ?? 0.5))
        this.#awaitingCache.push({ job: id, task: settled[i] as TaskId, at: now + grace })
      }
      this.#settledSeen.set(id, settled.length)
    }
    const due = this.#awaitingCache.filter((a) => a.at <= now)
    if (due.length === 0) return
    this.#awaitingCache = this.#awaitingCache.filter((a) => a.at > now)
    const missing = due.filter(({ job, task }) => {
      const record = this.o.jobs(job)?.task(task)
      return record !== undefined && !swarm.isCached(record.key)
    })
    this.#cacheAccepted(missing, now)
  }

  /**
   * The flush's reports and timeouts, signed as one batch: one signature,
   * whatever the number of tasks. Runs whose task record is gone (a dropped
   * job) report nothing; a backup's timeout says nothing about the claimant's
   * attempt, and is not recorded.
   */
  #sign(batch: readonly Finished[], now: number): { reports: Map<Finished, Report>; timeouts: Map<Finished, Failure> } {
    const items: Array<{ f: Finished; statement: Statement; make: (proof: OutcomeProof) => Report | Failure }> = []
    const peer = this.o.identity.peer
    for (const f of batch) {
      const key = this.o.jobs(f.job)?.task(f.task)?.key
      if (key === undefined) continue
      if (f.execution.kind === 'timeout') {
        if (f.backup) continue
        const error = capErrorRecord(f.execution.error)
        items.push({ f, statement: timeoutStatement(f.job, f.task, key, f.attempt, error), make: (proof) => timeoutFailure(peer, f.attempt, error, now, proof) })
        continue
      }
      const outcome: Outcome =
        f.result !== undefined ? { kind: 'value', result: f.result.address } : { kind: 'thrown', error: capErrorRecord(errorOf(f.execution)) }
      const durationMs = f.execution.durationMs
      const fetched = f.fetchMs === undefined ? {} : { fetchMs: f.fetchMs }
      items.push({ f, statement: outcomeStatement(key, outcome), make: (proof) => ({ peer, attempt: f.attempt, outcome, proof, durationMs, ...fetched, at: now }) })
    }
    const proofs = signStatements(this.o.identity, items.map(({ statement }) => statement))
    const reports = new Map<Finished, Report>()
    const timeouts = new Map<Finished, Failure>()
    items.forEach(({ f, make }, i) => {
      const made = make(proofs[i]!)
      if ('kind' in made) timeouts.set(f, made)
      else {
        // This donor reads these reports back at once (its job index, then the cache entries): no need to check its own signature.
        rememberOwnOutcome(peer, this.o.jobs(f.job)?.task(f.task)?.key, made)
        const bounded = f.execution.kind === 'timeout' ? undefined : boundTaskLogs(f.execution.logs)
        reports.set(f, bounded === undefined ? made : { ...made, logs: bounded })
      }
    })
    return { reports, timeouts }
  }

  /**
   * One job's reports from a flush: in packs (`report-packs.ts`), a pack per
   * `REPORTS_PER_PACK`, where two or more can share one; alone otherwise
   * (one report, or one with logs, which log followers read by its own key).
   */
  #writeReports(view: JobIndex, written: ReadonlyArray<{ readonly task: TaskId; readonly report: Report }>, now: number): void {
    const items: Array<{ task: TaskId; key: TaskKey; report: Report }> = []
    const single: Array<{ task: TaskId; report: Report }> = []
    for (const { task, report } of written) {
      const key = view.task(task)?.key
      if (key !== undefined && report.logs === undefined) items.push({ task, key, report })
      else single.push({ task, report })
    }
    for (let i = 0; i < items.length; i += REPORTS_PER_PACK) {
      const part = items.slice(i, i + REPORTS_PER_PACK)
      const pack = part.length > 1 ? makeReportPack(part) : undefined
      if (pack === undefined) {
        single.push(...part)
        continue
      }
      const key = `${REPORT_PACK_PREFIX}${this.o.identity.peer}.${now.toString(36)}.${(this.#packs++).toString(36)}`
      view.job.transact(() => putReportPack(view.job, key, pack))
      this.#ownReports.rememberPack(view, key, pack)
    }
    for (const chunk of chunked(single)) {
      view.job.transact(() => {
        for (const { task, report } of chunk) {
          putReport(view.job, task, report)
          this.#ownReports.remember(view, task, report)
        }
      })
    }
  }

  /** Caches the accepted outcomes of these tasks that are settled, a pack per job and chunk (`cacheOutcomes`). */
  #cacheAccepted(tasks: ReadonlyArray<{ readonly job: JobId; readonly task: TaskId }>, now: number): void {
    const byJob = new Map<JobId, Array<{ key: TaskKey; entry: CacheEntry }>>()
    for (const { job, task } of tasks) {
      const view = this.o.jobs(job)
      const accepted = view === undefined ? undefined : this.#acceptedEntry(view, task, now)
      if (accepted === undefined) continue
      const items = byJob.get(job)
      if (items === undefined) byJob.set(job, [accepted])
      else items.push(accepted)
    }
    for (const [job, items] of byJob) {
      const view = this.o.jobs(job)!
      for (let i = 0; i < items.length; i += ENTRIES_PER_PACK) {
        cacheOutcomes(this.o.swarm, items.slice(i, i + ENTRIES_PER_PACK), (peer) => view.subjectOf(peer), `w${now.toString(36)}.${(this.#packs++).toString(36)}`)
      }
    }
  }
  #packs = 0

  /** A settled task's accepted outcome, with the proofs of every peer that reported it, unless the cache has it already. */
  #acceptedEntry(view: JobIndex, task: TaskId, now: number): { key: TaskKey; entry: CacheEntry } | undefined {
    const phase = taskPhase(view, task, now)
    const record = view.task(task)
    if (phase.phase !== 'done' || record === undefined) return undefined
    const entry = cacheEntryOf(phase.outcome, view.reports(task))
    if (entry === undefined) return undefined
    // An entry this job's quorum of subjects already stands behind is left alone: rewriting a key another
    // peer wrote makes the new entry wait, on every reader, for that peer's write to arrive first. Subjects,
    // as readers count them: an entry of the same outcome that keys of one subject signed is not enough.
    const subjectOf = (peer: PeerId): string | undefined => view.subjectOf(peer)
    const existing = this.o.swarm.cached(record.key)
    if (
      existing !== undefined &&
      existing.kind === entry.kind &&
      outcomeId(outcomeOfEntry(existing)) === outcomeId(phase.outcome) &&
      strengthOf(existing.proofs, subjectOf).subjects >= view.spec.quorum
    ) return undefined
    return { key: record.key, entry }
  }
}

/**
 * The cache entry for an accepted outcome, signed by the reports that agree on
 * it (checked reports only: `JobIndex` hands out no other). Not capped here:
 * `mergeCached` caps it, keeping one proof per subject first.
 */
export function cacheEntryOf(outcome: Outcome, reports: readonly Report[]): CacheEntry | undefined {
  const id = outcomeId(outcome)
  const proofs: SignedOutcome[] = reports.filter((report) => outcomeId(report.outcome) === id).map((report) => ({ peer: report.peer, ...report.proof }))
  if (proofs.length === 0) return undefined
  return outcome.kind === 'value' ? { kind: 'value', result: outcome.result, proofs } : { kind: 'failure', error: outcome.error, proofs }
}

/** Cache entries per pack: about 140 B each, so a pack's update stays near 32 KiB. */
const ENTRIES_PER_PACK = 256

/** Reports per pack: about 90 B each, so a pack's update stays near 32 KiB. */
const REPORTS_PER_PACK = 256

/** Entries per transaction: a signed report costs under 1 KiB (its proof is most of it), so an update stays near 32 KiB. */
const ENTRIES_PER_TRANSACTION = 32

export function chunked<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = []
  for (let i = 0; i < items.length; i += ENTRIES_PER_TRANSACTION) chunks.push(items.slice(i, i + ENTRIES_PER_TRANSACTION))
  return chunks
}

function errorOf(execution: Execution): Failure['error'] {
  return execution.kind === 'value' ? { name: 'Error', message: 'not an error' } : execution.error
}

/** A thrown error as a record, for a run that failed before the executor could say how. */
export function thrownExecution(error: unknown, durationMs = 0): Execution {
  return { kind: 'thrown', error: toErrorRecord(error), durationMs }
}
