import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import { asJobId, asPeerId, type JobId } from '../../ids.ts'
import type { KeywordArgs, PureFunction } from '../../pure/define-pure.ts'
import type { DonorOptions } from '../../donor/donor-options.ts'
import { JobDoc } from '../../swarm/job-doc.ts'
import { jobDocGuid } from '../../swarm/schema.ts'
import { submitJob, type JobOptions } from '../../swarm/submit-job.ts'
import { taskPhase } from '../../scheduler/task-phase.ts'
import { SimClock } from './sim-clock.ts'
import { SimPeer } from './sim-peer.ts'
import { SimulatedNetwork, type NetworkConditions } from './simulated-network.ts'

export interface SimulationOptions {
  readonly seed: number
  readonly peers: number
  readonly fn: PureFunction<never, unknown>
  readonly argsList: readonly KeywordArgs[]
  /** Share of the donors that die silently in the middle of a task. */
  readonly dyingFraction?: number
  readonly conditions?: NetworkConditions
  readonly job?: JobOptions
  readonly donor?: Partial<DonorOptions>
  readonly taskDurationMs?: readonly [number, number]
  /** Every `everyMs`, a random link goes down for a random time in `downMs`, then comes back. */
  readonly linkFlaps?: { readonly everyMs: number; readonly downMs: readonly [number, number] }
  /**
   * Splits the mesh: at `atMs`, every link between the first `donors` donors and
   * everyone else (the host included) goes down, both ends told; `forMs` later all come back.
   */
  readonly partition?: { readonly atMs: number; readonly forMs: number; readonly donors: number }
  /** The first `donors` donors take `factor` times as long over every run. */
  readonly slowDonors?: { readonly donors: number; readonly factor: number }
  readonly limitMs?: number
}

export interface SimulationResult {
  readonly job: JobId
  readonly host: SimPeer
  readonly donors: readonly SimPeer[]
  /** Every peer still alive, the host included. */
  readonly live: readonly SimPeer[]
  readonly deaths: number
  /** Links taken down and brought back during the run. */
  readonly flaps: number
  readonly virtualMs: number
}

const DEFAULT_CONDITIONS: NetworkConditions = { minDelayMs: 2, maxDelayMs: 40, dropRate: 0.02, reorderRate: 0.05 }

/**
 * Runs one job on a simulated swarm until every live peer agrees it is finished
 * and all their documents have converged. Deterministic for a given seed.
 */
export async function simulateJob(options: SimulationOptions): Promise<SimulationResult> {
  const random = prng.create(options.seed)
  const clock = new SimClock()
  const network = new SimulatedNetwork(clock, random, options.conditions ?? DEFAULT_CONDITIONS)
  const [minMs, maxMs] = options.taskDurationMs ?? [20, 120]
  // Victims are chosen as runs start, so each dies in the middle of a task and the
  // quota is met however the work happens to spread (about 3× more chances than deaths).
  const dyingCount = Math.round(options.peers * (options.dyingFraction ?? 0))
  const deathChance = Math.min(1, (3 * dyingCount) / Math.max(1, options.argsList.length))
  let deaths = 0

  const host = new SimPeer({ name: 'host', network, clock, random })
  const donors: SimPeer[] = []
  for (let i = 0; i < options.peers; i++) {
    const slowdown = i < (options.slowDonors?.donors ?? 0) ? (options.slowDonors?.factor ?? 1) : 1
    const peer: SimPeer = new SimPeer({
      name: `peer-${i}`,
      network,
      clock,
      random,
      donor: {
        duration: () => prng.int32(random, minMs, maxMs) * slowdown,
        onRunStart: () => {
          if (deaths >= dyingCount || prng.real53(random) >= deathChance) return true
          deaths++
          peer.kill()
          return false
        },
        settings: options.donor ?? {},
      },
    })
    donors.push(peer)
  }

  const id = asJobId(`job-${options.seed}`)
  const jobDoc = new JobDoc(id, await host.openDoc(jobDocGuid(id)))
  await submitJob(host.swarm, host.values, {
    id,
    fn: options.fn,
    argsList: options.argsList,
    identity: host.identity,
    now: clock.now(),
    job: jobDoc,
    ...(options.job === undefined ? {} : { options: options.job }),
  })

  const live = (): SimPeer[] => [host, ...donors].filter((p) => p.alive)
  let flaps = 0
  const flapping = options.linkFlaps
  if (flapping !== undefined) {
    const flap = (): void => {
      const members = network.members()
      const a = members[prng.int32(random, 0, members.length - 1)]
      const b = members[prng.int32(random, 0, members.length - 1)]
      if (a !== undefined && b !== undefined && network.linked(a, b)) {
        network.disconnect(a, b)
        flaps++
        clock.setTimeout(() => network.reconnect(a, b), prng.int32(random, flapping.downMs[0], flapping.downMs[1]))
      }
      clock.setTimeout(flap, flapping.everyMs)
    }
    clock.setTimeout(flap, flapping.everyMs)
  }
  const split = options.partition
  if (split !== undefined) {
    const cut = donors.slice(0, split.donors).map((d) => d.id)
    const rest = [host, ...donors.slice(split.donors)].map((p) => p.id)
    const links = (each: (a: (typeof cut)[number], b: (typeof cut)[number]) => void) => () => {
      for (const a of cut) for (const b of rest) each(a, b)
    }
    clock.setTimeout(links((a, b) => network.disconnect(a, b)), split.atMs)
    clock.setTimeout(links((a, b) => network.reconnect(a, b)), split.atMs + split.forMs)
  }
  let finished = false
  const check = (): void => {
    finished = isConverged(live(), id)
    if (!finished) clock.setTimeout(check, 250)
  }
  clock.setTimeout(check, 250)
  try {
    await clock.runUntil(() => finished, options.limitMs ?? 10 * 60_000)
  } catch (error) {
    throw new Error(`seed ${options.seed}: ${(error as Error).message}\n${diagnose(live(), id, clock.now())}`)
  }
  const survivors = live()
  for (const peer of survivors) peer.kill()
  return { job: id, host, donors, live: survivors, deaths, flaps, virtualMs: clock.now() }
}

/** Where each live peer thinks the job stands: what a failed run needs explained. */
function diagnose(peers: readonly SimPeer[], job: JobId, now: number): string {
  return peers
    .map((peer) => {
      const view = peer.jobs.get(job)
      if (view === undefined) return `${peer.id}: has no job document`
      const phases = new Map<string, number>()
      const examples: string[] = []
      for (const task of view.openTasks()) {
        const phase = taskPhase(view, task, now)
        phases.set(phase.phase, (phases.get(phase.phase) ?? 0) + 1)
        if (examples.length < 3) examples.push(`${task}:${JSON.stringify(phase)}`)
      }
      const reference = peers[0] as SimPeer
      const vectors = `swarm Δ ${vectorDiff(peer.swarm.doc, reference.swarm.doc)} job Δ ${vectorDiff(view.job.doc, reference.jobs.get(job)?.job.doc)} pending=${peer.swarm.doc.store.pendingStructs !== null}/${view.job.doc.store.pendingStructs !== null}`
      return `${peer.id}: state=${peer.swarm.job(job)?.state} open=${view.openCount()} tasks=${[...view.taskIds()].length} ${JSON.stringify([...phases])} ${examples.join(' ')} ${vectors}`
    })
    .filter((line) => !line.includes("swarm Δ none job Δ none"))
    .slice(0, 8)
    .join('\n')
}

/** Clients whose clocks differ between two replicas, as client:mine/theirs. */
function vectorDiff(mine: Y.Doc, theirs: Y.Doc | undefined): string {
  if (theirs === undefined) return 'n/a'
  const a = Y.decodeStateVector(Y.encodeStateVector(mine))
  const b = Y.decodeStateVector(Y.encodeStateVector(theirs))
  const diff = [...new Set([...a.keys(), ...b.keys()])].filter((c) => a.get(c) !== b.get(c))
  return diff.length === 0 ? 'none' : diff.map((c) => `${c}:${a.get(c) ?? '-'}/${b.get(c) ?? '-'}`).join(',')
}

function isConverged(peers: readonly SimPeer[], job: JobId): boolean {
  const first = peers[0]
  if (first === undefined) return false
  for (const peer of peers) {
    const view = peer.jobs.get(job)
    if (view === undefined || !view.isFinished() || peer.swarm.job(job)?.state !== 'done') return false
  }
  const firstJob = first.jobs.get(job)
  if (firstJob === undefined) return false
  return peers.every((peer) => {
    const view = peer.jobs.get(job)
    return view !== undefined && sameState(peer.swarm.doc, first.swarm.doc) && sameState(view.job.doc, firstJob.job.doc)
  })
}

/** Equal state vectors; their encodings list clients in each replica's own order, so compare decoded. */
function sameState(a: Y.Doc, b: Y.Doc): boolean {
  const x = Y.decodeStateVector(Y.encodeStateVector(a))
  const y = Y.decodeStateVector(Y.encodeStateVector(b))
  return x.size === y.size && [...x].every(([client, clock]) => y.get(client) === clock)
}
