import { Identity } from '@tessera/core'
import type { Settled, Swarm } from '@tessera/runtime'
import type { Arena, Lie } from './arena.ts'
import { sybilReporter } from './hostile-peers.ts'

/**
 * Lying donors (issue 14): donors that run the task and report a wrong value,
 * next to the arena's honest donors; or one Sybil peer that runs nothing and
 * reports a wrong value under `sybils` keys it made, for every task it sees.
 * A host calls with `quorum`; then the attackers leave and fresh hosts (with
 * a worker of their own) call the same, each with its own quorum, and are
 * served what the cache holds.
 */
export interface LyingOptions {
  /** Undefined: the hosts' default (quorum 1, or 2 with the adaptive replication of a public room). */
  readonly quorum?: number
  readonly tasks: number
  /** Donors that lie (each a key of its own, all telling the same lie). */
  readonly liars?: number
  /** One peer reporting under this many keys. */
  readonly sybils?: number
  /** How long the host waits for its calls (virtual or real ms); a task no quorum agrees on is left unsettled. */
  readonly limitMs?: number
  /** The quorums of the fresh hosts that call afterwards (undefined: the hosts' default). */
  readonly freshQuorums?: ReadonlyArray<number | undefined>
  /** Workers of the calling host (0 by default): a host that computes settles disputes with results it trusts. */
  readonly hostWorkers?: number
  readonly name?: string
  readonly log?: (line: string) => void
}

export interface CallCount {
  readonly settled: number
  readonly wrong: number
  readonly right: number
  /** Calls that rejected for another reason than `undecided`'s: an honest result refused or failed. */
  readonly flagged: number
  /**
   * Calls that ended with `QuorumError`: every live subject reported and they
   * disagreed. Nothing was accepted and no result was called wrong, so these
   * are not flagged; calls still waiting at `limitMs` are `tasks - settled`.
   */
  readonly undecided: number
  /** Wrong results that came out of the cache, without running. */
  readonly wrongFromCache: number
}

export interface LyingFigures {
  readonly quorum: number | undefined
  readonly tasks: number
  readonly liars: number
  readonly sybils: number
  readonly host: CallCount
  readonly fresh: ReadonlyArray<{ readonly quorum: number | undefined } & CallCount>
}

const square = ({ x }: { x: number }): number => x * x
const lie: Lie = (value) => (typeof value === 'number' ? -1 - value : value)

/** Streams the calls until all settle or `limitMs` pass; counts what arrived. */
export async function countCalls(arena: Arena, swarm: Swarm, name: string, quorum: number | undefined, xs: readonly number[], limitMs: number, disputeMs?: number): Promise<CallCount> {
  const fn = swarm.pure(square, quorum === undefined ? { name } : { name, quorum })
  const controller = new AbortController()
  const seen: Array<Settled<{ x: number }, number>> = []
  const options = { settle: true as const, signal: controller.signal, ...(disputeMs === undefined ? {} : { disputeMs }) }
  const streaming = (async () => {
    for await (const s of fn.stream(xs.map((x) => ({ x })), options)) seen.push(s as Settled<{ x: number }, number>)
  })().catch(() => {})
  await arena.until(() => seen.length === xs.length, limitMs)
  controller.abort('the time allowed has passed')
  await arena.settle(streaming, 30_000)
  let wrong = 0
  let right = 0
  let flagged = 0
  let undecided = 0
  let wrongFromCache = 0
  for (const s of seen) {
    if (s.status === 'rejected' && s.error.name === 'QuorumError') undecided++
    else if (s.status === 'rejected') flagged++
    else if (s.value === s.args.x * s.args.x) right++
    else {
      wrong++
      if (s.cached) wrongFromCache++
    }
  }
  return { settled: seen.length, wrong, right, flagged, undecided, wrongFromCache }
}

export async function lyingDonors(arena: Arena, options: LyingOptions): Promise<LyingFigures> {
  const { quorum, tasks, liars = 0, sybils = 0, limitMs = 60_000, freshQuorums = [], name = 'square' } = options
  const log = options.log ?? (() => {})
  const host = await arena.host('host', options.hostWorkers ?? 0)
  const attackers: Array<{ leave(): Promise<void> | void }> = []
  for (let i = 0; i < liars; i++) attackers.push(await arena.liar(`liar-${i}`, lie))
  if (sybils > 0) {
    const peer = (await arena.host('sybil')).peer
    const wrong = { kind: 'value' as const, result: await peer.values.put(-1) }
    const identities = Array.from({ length: sybils }, (_, i) => Identity.fromSeed(`sybil-key-${i}`))
    const reporter = sybilReporter(peer, arena.clock, identities, wrong)
    attackers.push({ leave: () => reporter.stop() })
  }
  const xs = Array.from({ length: tasks }, (_, x) => x)
  const hostCount = await countCalls(arena, host, name, quorum, xs, limitMs)
  log(`quorum ${quorum ?? 'default'}, ${liars} liars, ${sybils} Sybil keys: ${hostCount.settled}/${tasks} settled, ${hostCount.wrong} wrong accepted, ${hostCount.flagged} flagged`)
  for (const attacker of attackers) await attacker.leave()
  const fresh: Array<{ quorum: number | undefined } & CallCount> = []
  for (const q of freshQuorums) {
    const reader = await arena.host(`fresh-q${q ?? 'default'}`, 1)
    const count = await countCalls(arena, reader, name, q, xs, limitMs)
    log(`  then a fresh host at quorum ${q ?? 'default'}: ${count.wrong} wrong served (${count.wrongFromCache} from the cache), ${count.settled}/${tasks} settled`)
    fresh.push({ quorum: q, ...count })
  }
  return { quorum, tasks, liars, sybils, host: hostCount, fresh }
}
