import { systemClock, type Clock } from '../clock.ts'
import { asJobId, type JobId } from '../ids.ts'
import { JobDoc } from '../swarm/job-doc.ts'
import { JobIndex } from '../swarm/job-index.ts'
import { jobDocGuid } from '../swarm/schema.ts'
import type { PeerPort } from './peer-port.ts'

export interface JobTrackerOptions {
  readonly clock?: Clock
  /** How long a finished job's document stays open before it is dropped; Infinity keeps it. */
  readonly dropAfterMs?: number
}

/**
 * Opens the document of every open job the swarm document lists, so the donor
 * can work on it and hosts can watch it, and lets go of finished ones: a
 * finished job's document is dropped a little later, unless someone here still
 * watches it.
 */
export class JobTracker {
  readonly #open = new Map<JobId, Promise<JobIndex | undefined>>()
  readonly #ready = new Map<JobId, JobIndex>()
  readonly #pinned = new Map<JobId, number>()
  readonly #listeners = new Set<(index: JobIndex) => void>()
  /** Drops waiting for their time; cleared on close, so a closed peer leaves no timer to keep its process alive. */
  readonly #drops = new Map<JobId, unknown>()
  readonly #observer: () => void
  readonly #clock: Clock
  readonly #dropAfterMs: number
  #closed = false

  constructor(
    private readonly peer: PeerPort,
    options: JobTrackerOptions = {},
  ) {
    this.#clock = options.clock ?? systemClock
    this.#dropAfterMs = options.dropAfterMs ?? 30_000
    const jobs = peer.swarm.jobs
    const onChange = (event: { keysChanged: Set<string> }): void => {
      for (const id of event.keysChanged) this.#consider(asJobId(id))
    }
    jobs.observe(onChange)
    this.#observer = () => jobs.unobserve(onChange)
    for (const id of jobs.keys()) this.#consider(asJobId(id))
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
    this.#observer()
    this.#listeners.clear()
    for (const timer of this.#drops.values()) this.#clock.clearTimeout(timer)
    this.#drops.clear()
    for (const index of this.#ready.values()) index.close()
  }

  #consider(id: JobId): void {
    if (this.#closed) return
    const entry = this.peer.swarm.job(id)
    if (entry?.state === 'open') {
      void this.#openJob(id)
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

  #openJob(id: JobId): Promise<JobIndex | undefined> {
    let opening = this.#open.get(id)
    // Not replicated here yet: a later call (or the job's arrival) tries again.
    if (opening === undefined && this.peer.swarm.job(id) === undefined) return Promise.resolve(undefined)
    if (opening === undefined) {
      opening = (async () => {
        const entry = this.peer.swarm.job(id)
        if (entry === undefined) return undefined
        const doc = await this.peer.openDoc(jobDocGuid(id))
        if (this.#closed) return undefined
        const index = new JobIndex(new JobDoc(id, doc), entry)
        this.#ready.set(id, index)
        for (const listener of this.#listeners) listener(index)
        return index
      })()
      this.#open.set(id, opening)
    }
    return opening
  }

  #drop(id: JobId): void {
    const entry = this.peer.swarm.job(id)
    if (this.#closed || this.#pinned.has(id) || entry?.state === 'open') return
    this.#ready.get(id)?.close()
    this.#ready.delete(id)
    this.#open.delete(id)
    void this.peer.dropDoc(jobDocGuid(id)).catch(() => {})
  }
}
