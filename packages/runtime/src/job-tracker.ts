import { asJobId, JobDoc, JobIndex, jobDocGuid, type JobEntry, type JobId } from '@tessera/core'
import type { MeshPeer } from '@tessera/mesh'

/**
 * Opens the document of every open job the swarm document lists, so the donor
 * can work on it and hosts can watch it, and lets go of finished ones: a
 * finished job's document is dropped a little later (design point (c)), unless
 * someone here still watches it.
 */
export class JobTracker {
  readonly #open = new Map<JobId, Promise<JobIndex | undefined>>()
  readonly #ready = new Map<JobId, JobIndex>()
  readonly #pinned = new Map<JobId, number>()
  readonly #observer: () => void
  #closed = false

  constructor(
    private readonly peer: MeshPeer,
    private readonly dropAfterMs = 30_000,
  ) {
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
    for (const index of this.#ready.values()) index.close()
  }

  #consider(id: JobId): void {
    if (this.#closed) return
    const entry: JobEntry | undefined = this.peer.swarm.job(id)
    if (entry?.state === 'open') {
      void this.#openJob(id)
      return
    }
    if (this.#pinned.has(id) || !this.#open.has(id)) return
    setTimeout(() => this.#drop(id), this.dropAfterMs)
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
