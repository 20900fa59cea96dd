import * as prng from 'lib0/prng'
import { asJobId, asPeerId, type Identity, type JobId, type JobOptions, type PeerId } from '@tessera/core'
import { SimClock, SimExecutor, SimPeer, SimulatedNetwork, type NetworkConditions, type SimPeerOptions } from '@tessera/core/testing'
import { assembleSwarm, type Swarm } from '@tessera/runtime'

export interface SimSwarmOptions {
  readonly seed: number
  readonly donors: number
  readonly conditions: NetworkConditions
  readonly taskDurationMs: readonly [number, number]
  /** Per function name, a fixed virtual duration in place of `taskDurationMs`. */
  readonly durationByName?: Readonly<Record<string, number>>
  /** What every host's functions start from, as `connect()` sets them (`{ adaptive: true }` in a public room). */
  readonly jobDefaults?: JobOptions
}

/**
 * The public API on the deterministic simulator: real documents, replicator,
 * job tracker, donors and `Swarm` objects, over a seeded lossy network in
 * virtual time. Hosts are ordinary `Swarm`s assembled on simulated peers.
 */
export class SimSwarm {
  readonly clock = new SimClock()
  readonly random: prng.PRNG
  readonly network: SimulatedNetwork
  readonly donors: SimPeer[] = []
  #jobs = 0
  #peers = 0

  constructor(private readonly options: SimSwarmOptions) {
    this.random = prng.create(options.seed)
    this.network = new SimulatedNetwork(this.clock, this.random, options.conditions)
    for (let i = 0; i < options.donors; i++) this.addDonor()
  }

  /** A donor joins (at any time: late joiners catch up by sync). */
  addDonor(onRunStart?: () => boolean, peerOptions: Partial<Pick<SimPeerOptions, 'admission' | 'dropJobsAfterMs'>> & { readonly workers?: number } = {}): SimPeer {
    const [min, max] = this.options.taskDurationMs
    const { workers = 1, ...rest } = peerOptions
    const peer = new SimPeer({
      ...rest,
      name: `donor-${this.#peers++}`,
      network: this.network,
      clock: this.clock,
      random: this.random,
      donor: {
        duration: (fn) => this.options.durationByName?.[fn.name] ?? prng.int32(this.random, min, max),
        ...(onRunStart === undefined ? {} : { onRunStart }),
        settings: { workers, reportFlushMs: 200 },
      },
    })
    this.donors.push(peer)
    return peer
  }

  /**
   * A host: a `Swarm` on a peer of its own, with workers of its own (`workers` > 0) or none;
   * `admin` has the simulated server certify it as a room admin, `controlKeys` are keys it may also sign with.
   */
  host(
    name: string,
    workers = 0,
    maxTasksPerJob?: number,
    extra: {
      readonly admin?: boolean
      readonly controlKeys?: readonly Identity[]
      readonly dropJobsAfterMs?: number
      /** The subject the simulated server certifies (by default the host's name). */
      readonly subject?: string
      /** Called as each run of the host's own workers starts. */
      readonly onRunStart?: () => void
      /** Subjects whose results the host takes alone (adaptive replication), as `connect({ trust })`. */
      readonly trust?: readonly string[]
    } = {},
  ): Swarm<SimPeer> {
    const peer = new SimPeer({
      name,
      network: this.network,
      clock: this.clock,
      random: this.random,
      ...(extra.admin === true ? { admin: true } : {}),
      ...(extra.subject === undefined ? {} : { subject: extra.subject }),
      ...(extra.dropJobsAfterMs === undefined ? {} : { dropJobsAfterMs: extra.dropJobsAfterMs }),
    })
    const [min, max] = this.options.taskDurationMs
    return assembleSwarm({
      peer,
      workers,
      clock: this.clock,
      random: () => prng.real53(this.random),
      newJobId: (): JobId => asJobId(`${name}-job-${this.#jobs++}`),
      maxValueBytes: 1024 * 1024,
      ...(this.options.jobDefaults === undefined ? {} : { jobDefaults: this.options.jobDefaults }),
      ...(maxTasksPerJob === undefined ? {} : { maxTasksPerJob }),
      ...(extra.controlKeys === undefined ? {} : { controlKeys: extra.controlKeys }),
      ...(extra.trust === undefined ? {} : { trust: extra.trust }),
      ...(workers === 0
        ? {}
        : {
            executor: new SimExecutor({
              clock: this.clock,
              duration: () => prng.int32(this.random, min, max),
              ...(extra.onRunStart === undefined ? {} : { onRunStart: () => (extra.onRunStart?.(), true) }),
            }),
          }),
    })
  }

  /** Runs virtual time until `promise` settles (or `limitMs` of virtual time pass), and hands back its outcome. */
  async settle<T>(promise: Promise<T>, limitMs = 120_000): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined
    promise.then(
      (value) => (outcome = { ok: true, value }),
      (error: unknown) => (outcome = { ok: false, error }),
    )
    await this.clock.runUntil(() => outcome !== undefined, this.clock.now() + limitMs)
    const settled = outcome as { ok: true; value: T } | { ok: false; error: unknown }
    if (!settled.ok) throw settled.error
    return settled.value
  }

  /** Lets virtual time pass. */
  async wait(ms: number): Promise<void> {
    const until = this.clock.now() + ms
    this.clock.setTimeout(() => {}, ms)
    await this.clock.runUntil(() => this.clock.now() >= until, until + 1)
  }

  /** Splits the network in two for `ms`: no link crosses between `side` and the rest. */
  partition(side: readonly PeerId[], ms: number): void {
    const inside = new Set(side)
    const members = this.network.members()
    const cut: Array<[PeerId, PeerId]> = []
    for (const a of members) for (const b of members) if (inside.has(a) && !inside.has(b) && this.network.linked(a, b)) cut.push([a, b])
    for (const [a, b] of cut) this.network.disconnect(a, b)
    this.clock.setTimeout(() => cut.forEach(([a, b]) => this.network.reconnect(a, b)), ms)
  }

  /** Every live peer ends its timers, so nothing is left running. */
  async close(hosts: ReadonlyArray<Swarm<SimPeer>>): Promise<void> {
    for (const host of hosts) await host.close()
    for (const donor of this.donors) if (donor.alive) await donor.close()
  }
}
