import type * as Y from 'yjs'
import { systemClock, type Clock } from '../clock.ts'
import { asJobId, type JobId } from '../ids.ts'
import { JobDoc } from '../swarm/job-doc.ts'
import { JobIndex } from '../swarm/job-index.ts'
import { MAX_TIMER_MS } from '../swarm/records.ts'
import { DEFAULT_CLOCK_SKEW_MS } from '../identity/subject-certificate.ts'
import { markJobDone, restoreJobEntry } from '../swarm/writes.ts'
import type { JobEntry } from '../swarm/schema.ts'
import { jobDocGuid } from '../swarm/schema.ts'
import { AdmissionBook, DEFAULT_ADMISSION, type AdmissionPolicy } from './admission.ts'
import type { PeerPort } from './peer-port.ts'
import { Subjects } from './subjects.ts'

/**
 * How long a finished job's document stays open unless someone here watches
 * it (`pin`). A donor needs nothing from a finished job (its results are in
 * the cache), and one working through a large batch would otherwise hold the
 * jobs it finished lately on top of those its admission quota allows.
 */
export const DROP_FINISHED_AFTER_MS = 1_000

export interface JobTrackerOptions {
  readonly clock?: Clock
  /** How long a finished job's document stays open before it is dropped; Infinity keeps it. */
  readonly dropAfterMs?: number
  /** Per-submitter quotas on the open jobs this peer opens (`DEFAULT_ADMISSION`); 'unlimited' in private rooms. */
  readonly admission?: AdmissionPolicy
  /** Where a job document that fails to open is reported; the job is then left alone until it changes. */
  readonly onError?: (error: unknown) => void
}

/**
 * Opens the document of every open job the swarm document lists, so the donor
 * can work on it and hosts can watch it, and lets go of finished ones: a
 * finished job's document is dropped a little later, unless someone here still
 * watches it. Only well-formed entries count (`SwarmDoc.job`), and only jobs
 * within their submitter's quota are opened (`admission.ts`, which counts
 * submitters as the signaling server vouches for them: `peer.roster`).
 */
export class JobTracker {
  readonly #open = new Map<JobId, Promise<JobIndex | undefined>>()
  readonly #ready = new Map<JobId, JobIndex>()
  readonly #pinned = new Map<JobId, number>()
  readonly #listeners = new Set<(index: JobIndex) => void>()
  /** Drops waiting for their time; cleared on close, so a closed peer leaves no timer to keep its process alive. */
  readonly #drops = new Map<JobId, unknown>()
  /**
   * Jobs whose every task has settled here. Only a job's submitter signs it
   * done; a donor drops a finished job whatever its entry says, or a job whose
   * submitter left would stay open here for good.
   */
  readonly #finished = new Set<JobId>()
  /**
   * The last signed entry seen of each job open here. A stranger can overwrite
   * an entry with one that fails its check; the job then stays as it was
   * here, and its submitter writes the signed entry back (`restoreJobEntry`).
   */
  readonly #lastSigned = new Map<JobId, JobEntry>()
  /**
   * Jobs dated later than this peer's clock allows (more than the clock skew
   * certificates tolerate), with the timer that looks at each again. They
   * wait for their date: an admin's certificate counts only for jobs created
   * before it expired, so a job dated in the future would otherwise run where
   * no admin could stop it.
   */
  readonly #early = new Map<JobId, unknown>()
  readonly #observer: () => void
  readonly #rosterListener: () => void
  readonly #clock: Clock
  readonly #dropAfterMs: number
  readonly #admission: AdmissionBook
  readonly #onError: (error: unknown) => void
  #closed = false
  /** Which subject each signer counts as, for quorum here and for the cache policy of the calls made here. */
  readonly subjects: Subjects

  constructor(
    private readonly peer: PeerPort,
    options: JobTrackerOptions = {},
  ) {
    this.#clock = options.clock ?? systemClock
    this.subjects = new Subjects(peer.swarm, peer.roster, peer.id)
    peer.swarm.weighSubjectsBy((signer) => this.subjects.subjectOf(signer))
    this.#dropAfterMs = options.dropAfterMs ?? DROP_FINISHED_AFTER_MS
    this.#admission = new AdmissionBook(options.admission ?? DEFAULT_ADMISSION, peer.id, peer.roster)
    this.#onError = options.onError ?? ((error) => console.error('tessera: a job document failed to open', error))
    const jobs = peer.swarm.jobs
    const onChange = (event: { keysChanged: Set<string> }): void => this.#changed([...event.keysChanged].map(asJobId))
    jobs.observe(onChange)
    this.#observer = () => jobs.unobserve(onChange)
    this.#rosterListener = peer.roster.onChange((peers) => {
      for (const id of this.#admission.rosterChanged(peers)) this.#consider(id)
    })
    this.#changed([...jobs.keys()].map(asJobId))
  }

  /** Whether this peer would open the job now: it is open and within its submitter's quota. */
  admits(id: JobId): boolean {
    const entry = this.peer.swarm.job(id)
    return entry?.state === 'open' && !this.#isEarly(entry) && this.#admission.admits(id)
  }

  /** The job's index, if its document is open here. */
  get(id: JobId): JobIndex | undefined {
    return this.#ready.get(id)
  }

  /** Calls `listener` with each job document as it opens here. */
  onOpen(listener: (index: JobIndex) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Opens a job's document whatever its state, and keeps it until `unpin`. */
  async pin(id: JobId): Promise<JobIndex | undefined> {
    this.#pinned.set(id, (this.#pinned.get(id) ?? 0) + 1)
    return this.#openJob(id)
  }

  unpin(id: JobId): void {
    const count = (this.#pinned.get(id) ?? 1) - 1
    if (count > 0) this.#pinned.set(id, count)
    else {
      this.#pinned.delete(id)
      this.#consider(id)
    }
  }

  openJobs(): JobIndex[] {
    return [...this.#ready.values()]
  }

  close(): void {
    this.#closed = true
    this.subjects.close()
    this.#observer()
    this.#rosterListener()
    this.#listeners.clear()
    for (const timer of [...this.#drops.values(), ...this.#early.values()]) this.#clock.clearTimeout(timer)
    this.#drops.clear()
    this.#early.clear()
    for (const index of this.#ready.values()) index.close()
  }

  #changed(ids: readonly JobId[]): void {
    for (const id of ids) this.#guard(id)
    const affected = this.#admission.refresh(ids.map((id) => [id, this.#finished.has(id) ? undefined : this.#entry(id)]))
    for (const id of new Set([...ids, ...affected])) this.#consider(id)
  }

  /** The job's entry, or the last signed one seen here when a stranger overwrote it. */
  #entry(id: JobId): JobEntry | undefined {
    return this.peer.swarm.job(id) ?? this.#lastSigned.get(id)
  }

  #guard(id: JobId): void {
    const entry = this.peer.swarm.job(id)
    if (entry !== undefined) {
      if (this.#open.has(id) || entry.submittedBy === this.peer.id) this.#lastSigned.set(id, entry)
      return
    }
    const last = this.#lastSigned.get(id)
    if (last === undefined || last.submittedBy !== this.peer.id) return
    // Not from inside the observer that saw the overwrite: its transaction is still being delivered.
    this.#clock.setTimeout(() => {
      if (!this.#closed && !this.peer.closed && this.peer.swarm.job(id) === undefined && this.peer.swarm.jobs.has(id)) restoreJobEntry(this.peer.swarm, last)
    }, 0)
  }

  #consider(id: JobId): void {
    if (this.#closed) return
    const entry = this.#entry(id)
    if (entry?.state === 'open' && !this.#finished.has(id)) {
      if (!this.#open.has(id) && this.#waitForDate(entry)) return
      // A job already open here stays open when its submitter's later jobs crowd the quota.
      if (this.#admission.admits(id)) void this.#openJob(id)
      return
    }
    if (this.#pinned.has(id) || !this.#open.has(id) || this.#drops.has(id) || this.#dropAfterMs === Number.POSITIVE_INFINITY) return
    this.#drops.set(
      id,
      this.#clock.setTimeout(() => {
        this.#drops.delete(id)
        this.#drop(id)
      }, this.#dropAfterMs),
    )
  }

  #isEarly(entry: JobEntry): boolean {
    return entry.createdAt - DEFAULT_CLOCK_SKEW_MS > this.#clock.now()
  }

  /** Whether a job is dated too far ahead to open yet; if so, it is considered again at its date. */
  #waitForDate(entry: JobEntry): boolean {
    if (!this.#isEarly(entry)) return false
    const id = entry.id
    if (!this.#early.has(id)) {
      const wait = Math.min(entry.createdAt - DEFAULT_CLOCK_SKEW_MS - this.#clock.now(), MAX_TIMER_MS)
      this.#early.set(
        id,
        this.#clock.setTimeout(() => {
          this.#early.delete(id)
          this.#consider(id)
        }, wait),
      )
    }
    return true
  }

  #openJob(id: JobId): Promise<JobIndex | undefined> {
    let opening = this.#open.get(id)
    // Not replicated here yet: a later call (or the job's arrival) tries again.
    if (opening === undefined && this.peer.swarm.job(id) === undefined) return Promise.resolve(undefined)
    if (opening === undefined) {
      opening = (async () => {
        const entry = this.peer.swarm.job(id)
        if (entry === undefined) return undefined
        let doc: Y.Doc
        try {
          doc = await this.peer.openDoc(jobDocGuid(id))
        } catch (error) {
          // Storage that refuses the document: nothing to work on, and nothing to crash over.
          this.#onError(error)
          return undefined
        }
        if (this.#closed) return undefined
        const index = new JobIndex(new JobDoc(id, doc), entry, this.subjects, this.peer.swarm.admins, this.#clock)
        this.#ready.set(id, index)
        this.#admission.hold(id)
        index.onSettled(() => this.#onSettled(index))
        this.#onSettled(index)
        for (const listener of this.#listeners) {
          try {
            listener(index)
          } catch (error) {
            this.#onError(error)
          }
        }
        return index
      })()
      this.#open.set(id, opening)
    }
    return opening
  }

  /** A finished job: its submitter signs it done; anyone else lets it go as if it were. */
  #onSettled(index: JobIndex): void {
    if (this.#closed || !index.isFinished()) return
    const id = index.spec.id
    if (index.spec.submittedBy === this.peer.id) markJobDone(this.peer.swarm, id, this.peer.identity)
    else if (!this.#finished.has(id)) {
      this.#finished.add(id)
      // No longer counted against its submitter's quota here, though its entry may still say open.
      const affected = this.#admission.refresh([[id, undefined]])
      for (const other of new Set([id, ...affected])) this.#consider(other)
    }
  }

  #drop(id: JobId): void {
    const entry = this.#entry(id)
    if (this.#closed || this.#pinned.has(id) || (entry?.state === 'open' && !this.#finished.has(id))) return
    this.#ready.get(id)?.close()
    this.#ready.delete(id)
    this.#open.delete(id)
    this.#lastSigned.delete(id)
    this.#admission.release(id)
    void this.peer.dropDoc(jobDocGuid(id)).catch(() => {})
  }
}
