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
  readonly limitMs?: number
  readonly log?: (line: string) => void
}

export async function liarShare(options: LiarShareOptions): Promise<CallCount & { readonly tasks: number }> {
  const arena = new SimArena({ seed: options.seed, donors: options.honest })
  try {
    for (let i = 0; i < options.liars; i++) {
      const offset = 1_000_000 * (options.collude === true ? 1 : i + 1)
      await arena.liar(`liar-${i}`, (value) => (typeof value === 'number' ? -offset - value : value))
    }
    const host = await arena.host('host')
    const xs = Array.from({ length: options.tasks }, (_, x) => x)
    const count = await countCalls(arena, host, 'square', options.quorum, xs, options.limitMs ?? 600_000)
    options.log?.(`${options.honest} honest + ${options.liars} ${options.collude === true ? 'colluding ' : ''}liars, quorum ${options.quorum}: ${count.wrong} of ${options.tasks} wrong accepted, ${count.settled} settled, ${count.flagged} flagged`)
    return { ...count, tasks: options.tasks }
  } finally {
    await arena.close()
  }
}
