import * as prng from 'lib0/prng'
import { startDonor, type Clock, type Donor, type Executor, type JobOptions, type KeywordArgs, type PeerPort, type Value } from '@tessera/core'
import { PERFECT_NETWORK, SimExecutor, SimPeer, type NetworkConditions } from '@tessera/core/testing'
import type { Swarm } from '@tessera/runtime'
import { SimSwarm } from '../sim-swarm.ts'
import { LyingExecutor } from './hostile-peers.ts'

export type Lie = (value: Value, args: KeywordArgs) => Value

/**
 * Where an attack runs: the simulator (`SimArena`) or the real mesh
 * (`MeshArena`). Hosts are ordinary `Swarm` objects; time is virtual or real.
 */
export interface Arena {
  readonly clock: Clock
  readonly kind: 'sim' | 'mesh'
  /** A host on a peer of its own, linked to every other peer; with honest workers of its own when `workers` > 0. */
  host(name: string, workers?: number): Promise<Swarm>
  /** A donor (no host) whose executor reports `lie(value)`; `leave()` takes it out of the swarm. */
  liar(name: string, lie: Lie): Promise<{ readonly peer: PeerPort; leave(): Promise<void> }>
  /** Lets time pass until `check()` holds or `ms` pass; says whether it held. */
  until(check: () => boolean, ms: number): Promise<boolean>
  /** The promise's outcome, letting time pass for it (at most `ms`). */
  settle<T>(promise: Promise<T>, ms?: number): Promise<T>
  close(): Promise<void>
}

export interface SimArenaOptions {
  readonly seed: number
  /** Honest donors, one worker each. */
  readonly donors: number
  readonly conditions?: NetworkConditions
  /** What hosts' functions start from (`{ adaptive: true }`: a public room's default, as `connect()` sets it). */
  readonly jobDefaults?: JobOptions
}

/** The arena on the deterministic simulator: `SimSwarm` peers in virtual time. */
export class SimArena implements Arena {
  readonly kind = 'sim'
  readonly sim: SimSwarm
  readonly #hosts: Swarm[] = []
  readonly #liars: Array<{ peer: SimPeer; donor: Donor }> = []

  constructor(options: SimArenaOptions) {
    this.sim = new SimSwarm({
      seed: options.seed,
      donors: options.donors,
      conditions: options.conditions ?? PERFECT_NETWORK,
      taskDurationMs: [5, 30],
      ...(options.jobDefaults === undefined ? {} : { jobDefaults: options.jobDefaults }),
    })
  }

  get clock(): Clock {
    return this.sim.clock
  }

  async host(name: string, workers = 0): Promise<Swarm> {
    const host = this.sim.host(name, workers)
    this.#hosts.push(host)
    // Let the new peer sync before it reads, as a mesh host waits for its links.
    await this.sim.wait(500)
    return host
  }

  /** `runMs`: how long the liar's runs take (by default as long as honest ones; `[0, 0]`: it answers at once, computing nothing). */
  async liar(name: string, lie: Lie, runMs: readonly [number, number] = [5, 30], settings: { readonly tickMs?: number; readonly settleMs?: number } = {}): Promise<{ readonly peer: PeerPort; readonly donor: Donor; leave(): Promise<void> }> {
    const { clock, random, network } = this.sim
    const peer = new SimPeer({ name, network, clock, random })
    const executor: Executor = new LyingExecutor(new SimExecutor({ clock, duration: () => prng.int32(random, runMs[0], runMs[1]) }), lie)
    const donor = startDonor(peer, peer.jobs, { executor, workers: 1, clock, random: () => prng.real53(random), settings: { reportFlushMs: 200, ...settings } })
    this.#liars.push({ peer, donor })
    await this.sim.wait(500)
    return {
      peer,
      donor,
      leave: async () => {
        donor.stop()
        await peer.close()
      },
    }
  }

  async until(check: () => boolean, ms: number): Promise<boolean> {
    const deadline = this.sim.clock.now() + ms
    while (!check()) {
      if (this.sim.clock.now() >= deadline) return false
      await this.sim.wait(50)
    }
    return true
  }

  settle<T>(promise: Promise<T>, ms = 120_000): Promise<T> {
    return this.sim.settle(promise, ms)
  }

  async close(): Promise<void> {
    for (const { peer, donor } of this.#liars) {
      donor.stop()
      await peer.close()
    }
    await this.sim.close(this.#hosts as Array<Swarm<SimPeer>>)
  }
}
