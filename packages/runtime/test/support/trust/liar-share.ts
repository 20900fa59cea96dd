import { SimArena } from './arena.ts'
import { countCalls, type CallCount } from './lying-donors.ts'

/**
 * A share of lying donors among honest ones (issue 14's target: 10% liars,
 * quorum 2, 0 wrong results of 10,000 tasks). Each liar tells its own lie, as
 * liars that do not collude would; colluding liars are distinct subjects
 * agreeing on one lie, which quorum cannot tell from the truth (docs/trust.md).
 */
export interface LiarShareOptions {
  readonly seed: number
  readonly honest: number
  readonly liars: number
  readonly tasks: number
  readonly quorum: number
  /** Every liar tells the same lie (scenario 2: colluding subjects); otherwise each its own. */
  readonly collude?: boolean
  /** The liars answer at once (compute nothing) and scan for work 10 times as often, so they are idle whenever a replica is wanted; otherwise they are as slow as honest donors. */
  readonly fast?: boolean
  readonly limitMs?: number
  readonly log?: (line: string) => void
}

export interface LiarShareFigures extends CallCount {
  readonly tasks: number
  /** Runs the liars made, of `runs` by every donor: their share of replicas, against their share of subjects. */
  readonly liarRuns: number
  readonly runs: number
  /** Virtual ms from the first call to the last settled one. */
  readonly ms: number
}

export async function liarShare(options: LiarShareOptions): Promise<LiarShareFigures> {
  const arena = new SimArena({ seed: options.seed, donors: options.honest })
  try {
    const liars = []
    for (let i = 0; i < options.liars; i++) {
      const offset = 1_000_000 * (options.collude === true ? 1 : i + 1)
      liars.push(await arena.liar(`liar-${i}`, (value) => (typeof value === 'number' ? -offset - value : value), options.fast === true ? [0, 0] : undefined, options.fast === true ? { tickMs: 5, settleMs: 30 } : {}))
    }
    const host = await arena.host('host')
    const xs = Array.from({ length: options.tasks }, (_, x) => x)
    const started = arena.clock.now()
    const count = await countCalls(arena, host, 'square', options.quorum, xs, options.limitMs ?? 600_000)
    const ms = arena.clock.now() - started
    const liarRuns = liars.reduce((sum, liar) => sum + liar.donor.runs, 0)
    const runs = liarRuns + arena.sim.donors.reduce((sum, donor) => sum + (donor.donor?.runs ?? 0), 0)
    const kind = `${options.collude === true ? 'colluding ' : ''}${options.fast === true ? 'fast ' : ''}liars`
    options.log?.(`${options.honest} honest + ${options.liars} ${kind}, quorum ${options.quorum}: ${count.wrong} of ${options.tasks} wrong accepted, ${count.settled} settled, ${count.flagged} flagged; liars ran ${liarRuns} of ${runs} runs`)
    return { ...count, tasks: options.tasks, liarRuns, runs, ms }
  } finally {
    await arena.close()
  }
}
