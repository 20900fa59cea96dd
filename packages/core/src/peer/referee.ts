import type { Clock } from '../clock.ts'
import { cacheEntryOf } from '../donor/write-back.ts'
import type { JobId, PeerId, TaskKey } from '../ids.ts'
import type { Identity } from '../identity/identity.ts'
import { outcomeId } from '../scheduler/outcome.ts'
import { taskPhase } from '../scheduler/task-phase.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import type { CacheEntry, Outcome, Report, TaskId } from '../swarm/schema.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import { signVerdicts } from '../swarm/verdicts.ts'
import { cacheOutcomes, putVerdict } from '../swarm/writes.ts'
import type { ValueStore } from '../swarm/value-store.ts'
import { JudgedValues } from './judged-values.ts'
import { clustersOf, type Cluster, type Compare } from './outcome-clusters.ts'
import type { SubmitterTrust } from './submitter-trust.ts'

/** Verdict leaves per record: about 150 bytes each, so a record's update stays near 32 KiB. */
const LEAVES_PER_RECORD = 200

/** How long a finished job is still judged: reports that come after its tasks settled. */
const LATE_REPORTS_MS = 30_000

/** Reports that land together (a donor's flush) are judged and signed together. */
const DEFAULT_FLUSH_MS = 20

export interface RefereeOptions {
  readonly identity: Identity
  readonly swarm: SwarmDoc
  readonly trust: SubmitterTrust
  readonly clock: Clock
  /** Unpredictable in production (spot checks must surprise a liar); seeded in the simulator. */
  readonly random: () => number
  /** Where values are fetched for a job's `compare`. */
  readonly values?: ValueStore
  readonly flushMs?: number
  /** A key of a subject proven hostile (`SubmitterTrust.isLiar`) reported here: drop and ban it (`PeerPort.ban`). */
  readonly onLiar?: (peer: PeerId, reason: string) => void
  readonly onError?: (error: unknown) => void
}

interface Watched {
  readonly index: JobIndex
  readonly stop: () => void
  readonly pending: Set<TaskId>
  /** Reports (`task/peer`) that taught the trust record something, so each teaches it once, late ones too. */
  readonly judged: Set<string>
  /** What this connection accepted per task, when a cluster (`compare`) made it more than one outcome id. */
  readonly acceptedIds: Map<TaskId, ReadonlySet<string>>
  /** Tasks with a verdict from this connection: accepted, or a check asked for. */
  readonly accepted: Set<TaskId>
  readonly checked: Set<TaskId>
  /** Untrusted reports left unjudged while their subject's checks are out (`#judge`). */
  readonly deferred: Set<TaskId>
}

type Leaf = { readonly task: TaskId; readonly key: TaskKey; readonly outcome?: Outcome; readonly reports?: readonly Report[] }

/**
 * The submitter's side of adaptive replication (BOINC): for each of its
 * adaptive jobs it judges every reported task and signs a verdict
 * (`swarm/verdicts.ts`) that either accepts the reported outcome alone or
 * asks another subject to run it first.
 *
 * - A reporter it trusts outright (`SubmitterTrust.trusts`) is accepted.
 * - A subject with n ≥ threshold valid results in a row is accepted with
 *   probability 1 − 1/n, and spot-checked otherwise; the draw is made after
 *   the report, so a donor cannot know which of its results will be checked.
 * - Anyone else's result is checked: donors run it again until `quorum`
 *   subjects agree (`taskPhase`), and that agreement is what earns trust;
 *   a subject whose result disagrees with the accepted one starts again at 0.
 */
export class Referee {
  readonly #jobs = new Map<JobId, Watched>()
  /** Checks asked for and not yet settled, per subject whose trust they are to prove (`job/task` ids). */
  readonly #proving = new Map<string, Set<string>>()
  readonly #compare = new Map<JobId, Compare>()
  readonly #values: JudgedValues
  /** Finished jobs still watched for late reports, with the timer that lets them go. */
  readonly #finishing = new Map<JobId, unknown>()
  #timer: unknown
  #closed = false

  constructor(private readonly o: RefereeOptions) {
    this.#values = new JudgedValues(o.values, () => this.#schedule())
  }

  /** Judges agreement in `job` with the caller's `compare` (a job submitted with one: `judged` or `adaptive`). */
  compareWith(job: JobId, compare: Compare): void {
    this.#compare.set(job, compare)
    const watched = this.#jobs.get(job)
    if (watched === undefined) return
    for (const task of watched.index.openTasks()) if (watched.index.reports(task).length > 0) watched.pending.add(task)
    this.#schedule()
  }

  /** Judges `index` from now on, if it is this submitter's job and its spec asks for verdicts. */
  watch(index: JobIndex): void {
    const spec = index.spec
    if (this.#closed || spec.replication === undefined || spec.submittedBy !== this.o.identity.peer || this.#jobs.has(spec.id)) return
    const watched: Watched = { index, pending: new Set(), judged: new Set(), acceptedIds: new Map(), accepted: new Set(), checked: new Set(), deferred: new Set(), stop: () => {} }
    const stop = index.onTaskChanged((task) => {
      watched.pending.add(task)
      this.#schedule()
    })
    this.#jobs.set(spec.id, { ...watched, stop })
    for (const task of index.openTasks()) if (index.reports(task).length > 0) watched.pending.add(task)
    this.#schedule()
  }

  unwatch(id: JobId): void {
    this.o.clock.clearTimeout(this.#finishing.get(id))
    this.#finishing.delete(id)
    this.#jobs.get(id)?.stop()
    this.#jobs.delete(id)
    this.#compare.delete(id)
  }

  close(): void {
    this.#closed = true
    this.o.clock.clearTimeout(this.#timer)
    for (const id of [...this.#jobs.keys()]) this.unwatch(id)
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return
    this.#timer = this.o.clock.setTimeout(() => {
      this.#timer = undefined
      try {
        this.#flush()
      } catch (error) {
        ;(this.o.onError ?? console.error)(error)
      }
    }, this.o.flushMs ?? DEFAULT_FLUSH_MS)
  }

  #flush(): void {
    for (const watched of this.#jobs.values()) {
      // A job document dropped here (the tracker let a finished job go): nothing more to judge.
      if (watched.index.job.doc.isDestroyed) {
        this.unwatch(watched.index.spec.id)
        continue
      }
      const leaves: Leaf[] = []
      for (const task of watched.pending) {
        const leaf = this.#judge(watched, task)
        if (leaf !== undefined) leaves.push(leaf)
      }
      watched.pending.clear()
      for (let at = 0; at < leaves.length; at += LEAVES_PER_RECORD) this.#publish(watched, leaves.slice(at, at + LEAVES_PER_RECORD))
      if (watched.index.isFinished() && !this.#finishing.has(watched.index.spec.id)) {
        // Late reports still teach who lies (a liar's report often lands after the honest one settled the task).
        const id = watched.index.spec.id
        this.#finishing.set(id, this.o.clock.setTimeout(() => this.unwatch(id), LATE_REPORTS_MS))
      }
    }
  }

  /** What to say about one task, if anything new; teaches the trust record what a settled task proves. */
  #judge(watched: Watched, task: TaskId): Leaf | undefined {
    const { index } = watched
    const record = index.task(task)
    const reports = index.reports(task)
    if (record === undefined || reports.length === 0) return undefined
    const phase = taskPhase(index, task, this.o.clock.now())
    if (phase.phase === 'done' || phase.phase === 'failed') {
      watched.deferred.delete(task)
      // Reports that come after the outcome was accepted are judged too: a liar's late report is still a lie.
      if (phase.phase === 'done') this.#learn(watched, task, watched.acceptedIds.get(task) ?? new Set([outcomeId(phase.outcome)]), reports)
      if (watched.checked.has(task)) this.#settledCheck(watched, task)
      return undefined
    }
    if (watched.accepted.has(task)) {
      this.#learn(watched, task, watched.acceptedIds.get(task) ?? new Set(), reports)
      return undefined
    }
    watched.deferred.delete(task)
    const clusters = this.#clusters(watched, task, reports)
    if (clusters === undefined) return undefined
    const accept = (cluster: Cluster): Leaf => {
      watched.accepted.add(task)
      watched.acceptedIds.set(task, cluster.ids)
      this.#learn(watched, task, cluster.ids, reports)
      return { task, key: record.key, outcome: cluster.outcome, reports: cluster.reports }
    }
    const trusted = clusters.filter((cluster) => cluster.reports.some((report) => this.o.trust.trusts(report.peer)))
    if (trusted.length === 1) return accept(trusted[0]!)
    // Only `compare` makes such a cluster: exact agreement of `quorum` subjects is already done.
    const quorate = clusters.filter((cluster) => subjectsOf(index, cluster.reports).length >= index.spec.quorum)
    if (quorate.length === 1 && trusted.length === 0) return accept(quorate[0]!)
    if (index.spec.replication !== 'adaptive' || watched.checked.has(task)) return undefined
    if (clusters.length === 1 && trusted.length === 0) {
      const subjects = subjectsOf(index, reports)
      const earned = subjects.filter((subject) => this.o.trust.validInARow(subject) >= this.o.trust.threshold)
      if (earned.length > 0) {
        // One draw per task, made once: asking again on every change would let a liar wait for a lucky one.
        if (earned.some((subject) => this.o.trust.acceptsAlone(subject, this.o.random))) {
          watched.accepted.add(task)
          watched.acceptedIds.set(task, clusters[0]!.ids)
          // As in BOINC, a result taken alone counts as valid: spot checks grow rarer as 1/n.
          for (const subject of earned) this.o.trust.agreed(subject)
          for (const report of reports) watched.judged.add(`${task}/${report.peer}`)
          return { task, key: record.key, outcome: clusters[0]!.outcome, reports: clusters[0]!.reports }
        }
      } else if (subjects.length > 0) {
        // A subject still proving itself needs only so many checks out at once: its other
        // reports wait (donors hold them `VERDICT_WAIT_MS`) for the trust those checks may earn,
        // rather than every result of a new donor's first batches running twice.
        const subject = subjects[0]!
        const proving = this.#proving.get(subject) ?? new Set<string>()
        if (proving.size >= Math.max(1, this.o.trust.threshold - this.o.trust.validInARow(subject))) {
          watched.deferred.add(task)
          return undefined
        }
        this.#proving.set(subject, proving.add(`${index.spec.id}/${task}`))
      }
    }
    watched.checked.add(task)
    return { task, key: record.key }
  }

  /** The task's reports in agreeing clusters; undefined while values `compare` needs are being fetched (the task is judged again then). */
  #clusters(watched: Watched, task: TaskId, reports: readonly Report[]): Cluster[] | undefined {
    const compare = this.#compare.get(watched.index.spec.id)
    const clusters = clustersOf(reports, compare, this.#values.valueOf)
    if (Array.isArray(clusters)) return clusters
    for (const address of clusters.missing) this.#values.fetch(address, () => watched.pending.add(task))
    return undefined
  }

  /** A checked task settled: its check no longer counts against its subject, and what waited on trust is judged again. */
  #settledCheck(watched: Watched, task: TaskId): void {
    watched.checked.delete(task)
    const id = `${watched.index.spec.id}/${task}`
    for (const [subject, proving] of this.#proving) {
      if (!proving.delete(id)) continue
      if (proving.size === 0) this.#proving.delete(subject)
    }
    for (const other of this.#jobs.values()) {
      for (const deferred of other.deferred) other.pending.add(deferred)
    }
    this.#schedule()
  }

  /** Outcomes accepted by quorum or by a trusted reporter: every other subject's report on them proves or condemns that subject. */
  #learn(watched: Watched, task: TaskId, accepted: ReadonlySet<string>, reports: readonly Report[]): void {
    const { index } = watched
    // Only an outcome someone else's word backed judges anyone: quorum, or a reporter trusted
    // outright. One taken alone on earned trust proves nothing about those who disagree with it.
    const agreeing = reports.filter((report) => accepted.has(outcomeId(report.outcome)))
    if (subjectsOf(index, agreeing).length < index.spec.quorum && !agreeing.some((report) => this.o.trust.trusts(report.peer))) return
    const judged = new Map<string, boolean>()
    for (const report of reports) {
      const key = `${task}/${report.peer}`
      if (watched.judged.has(key)) continue
      watched.judged.add(key)
      if (this.o.trust.trusts(report.peer)) continue
      const subject = index.subjectOf(report.peer)
      if (subject === undefined) continue
      judged.set(subject, (judged.get(subject) ?? true) && accepted.has(outcomeId(report.outcome)))
    }
    for (const [subject, valid] of judged) {
      if (valid) {
        this.o.trust.agreed(subject)
        continue
      }
      this.o.trust.disagreed(subject)
      if (!this.o.trust.isLiar(subject)) continue
      const reason = `${this.o.trust.liesOf(subject)} results that disagreed with accepted outcomes`
      for (const report of reports) if (index.subjectOf(report.peer) === subject) this.o.onLiar?.(report.peer, reason)
    }
  }

  #publish(watched: Watched, leaves: readonly Leaf[]): void {
    const { index } = watched
    const { record, proofs } = signVerdicts(this.o.identity, index.spec, leaves)
    const key = `v${this.o.clock.now().toString(36)}-${Math.floor(this.o.random() * 2 ** 40).toString(36)}`
    index.job.transact(() => putVerdict(index.job, key, record))
    // The submitter's own signature joins each result it accepted alone, so its later calls (which trust its own key) find it in the cache.
    const entries: Array<{ key: TaskKey; entry: CacheEntry }> = []
    for (const leaf of leaves) {
      const proof = proofs.get(leaf.task)
      if (leaf.outcome === undefined || proof === undefined) continue
      const entry = cacheEntryOf(leaf.outcome, leaf.reports ?? [])
      if (entry === undefined) continue
      const signed = [...entry.proofs.filter((p) => p.peer !== this.o.identity.peer), { peer: this.o.identity.peer, ...proof }]
      entries.push({ key: leaf.key, entry: { ...entry, proofs: signed } })
    }
    // One pack per flush: the entries share the flush's signature and their reporters' batches.
    cacheOutcomes(this.o.swarm, entries, (peer) => index.subjectOf(peer), key)
  }
}

function subjectsOf(index: JobIndex, reports: readonly Report[]): string[] {
  return [...new Set(reports.map((report) => index.subjectOf(report.peer)).filter((subject) => subject !== undefined))]
}
