import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import { CacheCompactor, type CompactionSchedule } from '../../cache-tree/cache-compactor.ts'
import { SimBlobStore } from './sim-blob-store.ts'
import type { Donor } from '../../donor/donor.ts'
import type { DonorOptions } from '../../donor/donor-options.ts'
import type { JobId, PeerId } from '../../ids.ts'
import { Identity } from '../../identity/identity.ts'
import { JobTracker } from '../../peer/job-tracker.ts'
import type { PeerPort } from '../../peer/peer-port.ts'
import type { PureFunctionSource } from '../../pure/define-pure.ts'
import { startDonor } from '../../peer/start-donor.ts'
import { DocReplicator } from '../../replication/doc-replicator.ts'
import { SWARM_DOC_GUID } from '../../swarm/schema.ts'
import { SwarmDoc } from '../../swarm/swarm-doc.ts'
import { ValueStore } from '../../swarm/value-store.ts'
import { addHolder } from '../../swarm/writes.ts'
import type { SimClock } from './sim-clock.ts'
import { SimExecutor } from './sim-executor.ts'
import { SimPresence } from './sim-presence.ts'
import { joinSimRoster } from './sim-roster.ts'
import type { Roster } from '../../peer/roster.ts'
import type { AdmissionPolicy } from '../../peer/admission.ts'
import type { SimulatedNetwork, SimTransport } from './simulated-network.ts'

export interface SimPeerOptions {
  /** Names the peer within a simulation: its key pair is `Identity.fromSeed(name)`, so a seed gives the same ids every run. */
  readonly name: string
  readonly network: SimulatedNetwork
  readonly clock: SimClock
  readonly random: prng.PRNG
  /** Absent for a peer that only submits and watches. */
  readonly donor?: {
    readonly duration: (fn: PureFunctionSource) => number
    readonly onRunStart?: () => boolean
    readonly settings?: Partial<DonorOptions>
  }
  readonly syncIntervalMs?: number
  /** How long a finished job's document stays open; kept for good by default, so a run can be checked. */
  readonly dropJobsAfterMs?: number
  /** Admission quotas of this peer's job tracker (`DEFAULT_ADMISSION`). */
  readonly admission?: AdmissionPolicy
  /** What the simulated signaling server stamps for this peer's address; its own by default. Peers that share one share admission quotas. */
  readonly origin?: string
  /**
   * What the simulated signaling server certifies this peer as: its own name
   * by default. Peers that share a subject count as one towards a quorum.
   */
  readonly subject?: string
  /** Whether the simulated signaling server certifies this peer as a room admin (it may cancel anyone's job). */
  readonly admin?: boolean
  /** Takes part in compacting the cache into the tree (`cache-tree/`); off by default. */
  readonly compactCache?: CompactionSchedule
}

/**
 * One simulated peer: real documents, the real replicator, the real job
 * tracker and donor, behind the same port the mesh peer implements, so the
 * public API runs on it unchanged.
 */
export class SimPeer implements PeerPort {
  readonly id: PeerId
  readonly identity: Identity
  readonly swarm: SwarmDoc
  readonly values: ValueStore
  readonly blobs: SimBlobStore
  readonly compactor: CacheCompactor | undefined
  readonly presence: SimPresence
  readonly roster: Roster
  readonly #leaveRoster: () => void
  /** The job documents open here, by job. */
  readonly jobs: JobTracker
  /** When (virtual time) this peer first opened each job. */
  readonly jobOpenedAt = new Map<JobId, number>()
  readonly transport: SimTransport
  readonly replicator: DocReplicator
  readonly donor: Donor | undefined
  readonly #docs = new Map<string, Y.Doc>()
  #alive = true

  constructor(private readonly options: SimPeerOptions) {
    this.identity = Identity.fromSeed(options.name)
    this.id = this.identity.peer
    this.swarm = new SwarmDoc(this.#newDoc(SWARM_DOC_GUID))
    this.blobs = new SimBlobStore(options.network, this.identity.peer, (address) => addHolder(this.swarm, address, this.id, options.clock.now()))
    this.values = new ValueStore(this.swarm, this.blobs)
    this.transport = options.network.join(this.id)
    this.presence = new SimPresence(this.id, options.network, { kind: 'node', workers: 0, load: 0, version: 'sim' })
    const rendezvous = joinSimRoster(options.network, this.id, {
      origin: options.origin ?? `sim-${options.name}`,
      subject: options.subject ?? options.name,
      admin: options.admin === true,
      now: () => options.clock.now(),
    })
    this.roster = rendezvous.roster
    this.swarm.recognizeAdmins(this.roster)
    this.#leaveRoster = rendezvous.leave
    const rand = (): number => prng.real53(options.random)
    this.replicator = new DocReplicator({
      transport: this.transport,
      clock: options.clock,
      random: rand,
      syncIntervalMs: options.syncIntervalMs ?? 1_500,
    })
    this.replicator.add(this.swarm.doc)
    this.jobs = new JobTracker(this, {
      clock: options.clock,
      dropAfterMs: options.dropJobsAfterMs ?? Number.POSITIVE_INFINITY,
      ...(options.admission === undefined ? {} : { admission: options.admission }),
    })
    this.jobs.onOpen((index) => this.jobOpenedAt.set(index.spec.id, options.clock.now()))
    const subjectOf = (peer: PeerId): string | undefined => this.jobs.subjects.subjectOf(peer)
    this.values.compacted.weighSubjectsBy(subjectOf)
    this.compactor = options.compactCache === undefined ? undefined : new CacheCompactor(this.swarm, this.values, { self: this.id, clock: options.clock, subjectOf, ...options.compactCache })
    const donor = options.donor
    this.donor =
      donor === undefined
        ? undefined
        : startDonor(this, this.jobs, {
            executor: new SimExecutor({ clock: options.clock, ...donor }),
            workers: donor.settings?.workers ?? 1,
            clock: options.clock,
            random: rand,
            settings: donor.settings ?? {},
          })
  }

  /** Peers this one dropped and refuses (`PeerPort.ban`), as the mesh does: the simulated link goes down. */
  readonly banned = new Set<PeerId>()

  ban(peer: PeerId): void {
    this.banned.add(peer)
    this.options.network.disconnect(this.id, peer)
  }

  get alive(): boolean {
    return this.#alive
  }

  get closed(): boolean {
    return !this.#alive
  }

  async openDoc(guid: string): Promise<Y.Doc> {
    const open = this.#docs.get(guid)
    if (open !== undefined) return open
    const doc = this.#newDoc(guid)
    // Replicated before anything is written into it, so every write goes out.
    this.replicator.add(doc)
    return doc
  }

  async dropDoc(guid: string): Promise<void> {
    if (guid === SWARM_DOC_GUID) throw new Error('the swarm document cannot be dropped')
    this.replicator.remove(guid)
    this.#docs.get(guid)?.destroy()
    this.#docs.delete(guid)
  }

  /** Leaves on purpose: its links go down and both ends are told. */
  async close(): Promise<void> {
    if (!this.#alive) return
    this.#alive = false
    this.donor?.stop()
    this.compactor?.stop()
    this.blobs.leave()
    this.jobs.close()
    this.replicator.close()
    this.presence.leave()
    this.#leaveRoster()
    this.options.network.leave(this.id)
  }

  /** Dies silently, in the middle of whatever it was doing. */
  kill(): void {
    if (!this.#alive) return
    this.#alive = false
    this.donor?.stop()
    this.compactor?.stop()
    this.blobs.leave()
    this.replicator.close()
    this.presence.leave()
    this.#leaveRoster()
    this.options.network.kill(this.id)
  }

  #newDoc(guid: string): Y.Doc {
    const doc = new Y.Doc({ guid })
    // Yjs draws client ids from crypto; the simulator draws them from its seed.
    doc.clientID = prng.uint32(this.options.random, 1, 0x7fffffff)
    this.#docs.set(guid, doc)
    return doc
  }
}
