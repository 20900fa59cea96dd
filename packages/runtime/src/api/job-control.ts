import {
  adminCertificateFor,
  asJobId,
  CancelledError,
  cancelJob,
  cancelJobAsAdmin,
  JobOwnerError,
  type Identity,
  type JobDoc,
  type JobEntry,
  type JobId,
  type PeerId,
  type SubjectCertificate,
} from '@tessera/core'
import type { JobRun } from './job-run.ts'
import type { SwarmParts } from './swarm-parts.ts'

interface Following {
  readonly run: JobRun
  readonly reject: (error: Error) => void
}

/**
 * Cancelling and stopping jobs, and the batches this host follows: one place
 * decides what a cancelled job means for the waiting calls.
 */
export class JobControl {
  readonly #following = new Set<Following>()
  /** Bumped by `cancelOwn()`, so a batch still being published when it is called is cancelled too. */
  #generation = 0

  constructor(private readonly parts: SwarmParts) {}

  get generation(): number {
    return this.#generation
  }

  /** Registers a batch being followed; returns how to forget it once it ends. */
  follow(run: JobRun, reject: (error: Error) => void): () => void {
    const entry = { run, reject }
    this.#following.add(entry)
    return () => this.#following.delete(entry)
  }

  /**
   * Marks a job cancelled in the swarm and in its own document, signed by the
   * submitter's key (this peer's, or one in `controlKeys`) or, failing that,
   * by a room admin's: a key here whose certificate from the room's signaling
   * server says admin. Returns false when it was not open; `JobOwnerError`
   * when no key here may cancel it.
   */
  async cancel(id: JobId): Promise<boolean> {
    const { peer, tracker } = this.parts
    const entry = peer.swarm.job(id)
    if (entry?.state !== 'open') return false
    const signer = this.#signerFor(entry.submittedBy)
    const admin = signer === undefined ? this.#adminFor(entry) : undefined
    if (signer === undefined && admin === undefined) {
      throw new JobOwnerError(`job ${id} was submitted by ${entry.submittedBy}; only its submitter's key or a room admin's can cancel or stop it`)
    }
    const write = (job: JobDoc | undefined): boolean =>
      admin === undefined ? cancelJob(peer.swarm, id, signer as Identity, job) : cancelJobAsAdmin(peer.swarm, id, admin.key, admin.certificate, job)
    const open = tracker.get(id)
    if (open !== undefined) return write(open.job)
    const index = await tracker.pin(id)
    try {
      return write(index?.job)
    } finally {
      tracker.unpin(id)
    }
  }

  #keys(): Identity[] {
    return [this.parts.peer.identity, ...(this.parts.controlKeys ?? [])]
  }

  #signerFor(submittedBy: string): Identity | undefined {
    return this.#keys().find((key) => key.peer === submittedBy)
  }

  /**
   * A key here with an admin certificate that counts for this job: the one
   * the signaling server holds for it now (this connection's own, or a
   * control key's host that is in the room), else the last one that host
   * left in the swarm document, if it was valid after the job was created.
   */
  #adminFor(entry: JobEntry): { key: Identity; certificate: SubjectCertificate } | undefined {
    const { swarm, roster } = this.parts.peer
    for (const key of this.#keys()) {
      for (const candidate of [roster.certificateOf(key.peer as PeerId), swarm.certs.get(key.peer)]) {
        const certificate = adminCertificateFor(entry, key.peer, candidate, swarm.admins)
        if (certificate !== undefined) return { key, certificate }
      }
    }
    return undefined
  }

  /** Stops one job this connection's keys submitted, or any job when one of them is a room admin's; this host's calls on it reject with `CancelledError`. */
  async stopJob(id: string): Promise<boolean> {
    const jobId = asJobId(id)
    if (this.parts.peer.swarm.job(jobId)?.state !== 'open') return false
    const stopped = await this.cancel(jobId)
    this.#rejectWhere((run) => run.jobId === id, new CancelledError(`job ${id} was stopped`))
    return stopped
  }

  /** Cancels every open job this peer submitted, and every call it is waiting on. */
  async cancelOwn(): Promise<void> {
    const { swarm, id: self } = this.parts.peer
    const own = [...swarm.jobEntries()].filter((entry) => entry.submittedBy === self && entry.state === 'open')
    for (const entry of own) await this.cancel(entry.id)
    this.#generation++
    this.#rejectWhere(() => true, new CancelledError('cancelled by swarm.cancel()'))
  }

  /** Rejects every call being followed (the connection closes). */
  rejectAll(error: Error): void {
    this.#rejectWhere(() => true, error)
  }

  #rejectWhere(matches: (run: JobRun) => boolean, error: Error): void {
    for (const entry of [...this.#following]) {
      if (!matches(entry.run)) continue
      entry.run.stop()
      entry.reject(error)
    }
  }
}
