import type { Arena, Lie } from './arena.ts'
import { countCalls, type CallCount } from './lying-donors.ts'

/**
 * Liveness at quorum 2 (issue 14): one honest donor and one liar, a host
 * without workers. No two reports agree and nobody else can run the tasks,
 * so until disputes ended they waited for ever (0 of 200 settled). Now each
 * call ends with `QuorumError` once both subjects have reported and no new
 * one appeared for `disputeMs`; nothing is accepted and nothing is flagged.
 * Then an honest newcomer joins and the host retries: the newcomer's result
 * agrees with the honest donor's, and every call settles right.
 */
export interface DisputeOptions {
  readonly tasks: number
  /** Undefined: quorum 2 (the public-room default when the arena's jobs are adaptive). */
  readonly quorum?: number
  readonly disputeMs?: number
  readonly limitMs?: number
  readonly log?: (line: string) => void
}

export interface DisputeFigures {
  readonly tasks: number
  /** The first calls: `undecided` ended with QuorumError, `tasks - settled` were still waiting at the limit. */
  readonly first: CallCount
  /** The same calls again once an honest newcomer joined. */
  readonly retry: CallCount
}

const lie: Lie = (value) => (typeof value === 'number' ? -1 - value : value)

export async function disputedTasks(arena: Arena, options: DisputeOptions): Promise<DisputeFigures> {
  const { tasks, quorum, limitMs = 60_000, disputeMs = 10_000 } = options
  const log = options.log ?? (() => {})
  const host = await arena.host('host', 0)
  await arena.liar('liar', lie)
  const xs = Array.from({ length: tasks }, (_, x) => x)
  const first = await countCalls(arena, host, 'square', quorum, xs, limitMs, disputeMs)
  const label = quorum === undefined ? 'default quorum' : `quorum ${quorum}`
  log(`1 honest donor + 1 liar, host without workers, ${label}: ${first.undecided} of ${tasks} ended with QuorumError, ${tasks - first.settled} waiting, ${first.wrong} wrong accepted, ${first.flagged} flagged`)
  await arena.host('newcomer', 1)
  const retry = await countCalls(arena, host, 'square', quorum, xs, limitMs, disputeMs)
  log(`  an honest newcomer joins, the host retries: ${retry.right} of ${tasks} right, ${retry.wrong} wrong, ${retry.undecided} QuorumError, ${tasks - retry.settled} waiting`)
  return { tasks, first, retry }
}
