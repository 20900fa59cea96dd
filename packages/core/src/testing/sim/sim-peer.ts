import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import { MemoryBlobStore } from '../../adapters/memory-blob-store.ts'
import type { JobId, PeerId } from '../../ids.ts'
import { DocReplicator } from '../../replication/doc-replicator.ts'
import { Donor } from '../../runtime/donor.ts'
import type { DonorOptions } from '../../runtime/donor-options.ts'
import { JobDoc } from '../../swarm/job-doc.ts'
import { JobIndex } from '../../swarm/job-index.ts'
import { jobDocGuid, SWARM_DOC_GUID } from '../../swarm/schema.ts'
import { SwarmDoc } from '../../swarm/swarm-doc.ts'
import { ValueStore } from '../../swarm/value-store.ts'
import type { SimClock } from './sim-clock.ts'
import { SimExecutor } from './sim-executor.ts'
import type { SimulatedNetwork, SimTransport } from './simulated-network.ts'

export interface SimPeerOptions {
  readonly id: PeerId
  readonly network: SimulatedNetwork
  readonly clock: SimClock
  readonly random: prng.PRNG
  /** Absent for a peer that only submits and watches. */
  readonly donor?: {
    readonly duration: () => number
    readonly onRunStart?: () => boolean
    readonly settings?: Partial<DonorOptions>
  }
  readonly syncIntervalMs?: number
}

/** One simulated peer: real documents, the real replicator, the real donor. */
export class SimPeer {
  readonly id: PeerId
  readonly swarm: SwarmDoc
  readonly values: ValueStore
  readonly jobs = new Map<JobId, JobIndex>()
  /** When (virtual time) this peer first learned of each job. */
  readonly jobOpenedAt = new Map<JobId, number>()
  readonly transport: SimTransport
  readonly replicator: DocReplicator
  readonly donor: Donor | undefined
  #alive = true

  constructor(private readonly options: SimPeerOptions) {
    this.id = options.id
    this.swarm = new SwarmDoc(this.#newDoc(SWARM_DOC_GUID))
    this.values = new ValueStore(this.swarm, new MemoryBlobStore())
    this.transport = options.network.join(options.id)
    const rand = (): number => prng.real53(options.random)
    this.replicator = new DocReplicator({
      transport: this.transport,
      clock: options.clock,
      random: rand,
      syncIntervalMs: options.syncIntervalMs ?? 1_500,
    })
    this.replicator.add(this.swarm.doc)
    this.swarm.jobs.observe((event) => {
      for (const id of event.keysChanged) this.#openJob(id as JobId)
    })
    if (options.donor !== undefined) {
      this.donor = new Donor({
        self: this.id,
        swarm: this.swarm,
        values: this.values,
        jobs: (id) => this.jobs.get(id),
        clock: options.clock,
        random: rand,
        peerCount: () => this.transport.peers().length + 1,
        executor: new SimExecutor({ clock: options.clock, ...options.donor }),
        ...options.donor.settings,
      })
      this.donor.start()
    }
  }

  get alive(): boolean {
    return this.#alive
  }

  /** A job document for a job this peer submits: deterministic clientID, replicated. */
  newJobDoc(id: JobId): JobDoc {
    const job = new JobDoc(id, this.#newDoc(jobDocGuid(id)))
    return job
  }

  /** Dies silently, in the middle of whatever it was doing. */
  kill(): void {
    this.#alive = false
    this.donor?.stop()
    this.replicator.close()
    this.options.network.kill(this.id)
  }

  #openJob(id: JobId): void {
    const entry = this.swarm.jobs.get(id)
    if (entry === undefined || this.jobs.has(id)) return
    const job = this.#pendingJobDocs.get(id) ?? this.newJobDoc(id)
    this.#pendingJobDocs.delete(id)
    this.jobs.set(id, new JobIndex(job, entry))
    this.jobOpenedAt.set(id, this.options.clock.now())
    this.replicator.add(job.doc)
  }

  readonly #pendingJobDocs = new Map<JobId, JobDoc>()

  /** Registers the document a local submission wrote, so the job opens on it. */
  adoptJobDoc(job: JobDoc): void {
    this.#pendingJobDocs.set(job.id, job)
    // Replicated before anything is written into it, so every write goes out.
    this.replicator.add(job.doc)
    this.#openJob(job.id)
  }

  #newDoc(guid: string): Y.Doc {
    const doc = new Y.Doc({ guid })
    // Yjs draws client ids from crypto; the simulator draws them from its seed.
    doc.clientID = prng.uint32(this.options.random, 1, 0x7fffffff)
    return doc
  }
}
