/**
 * Pythagoras' promise: launch the same program on each computer and the
 * instances share the work. Two hosts, one worker each, call `parallel` over
 * the same arguments at the same time, as two `tessera run` of one module
 * would; the baseline is one of them alone, in the same run (issue 15 item 1).
 */
import type { Swarm } from '@tessera/host'
import type { SignalingServer } from '@tessera/signaling'
import { churn } from './efficiency.ts'
import { waitUntil } from './lib/stats.ts'
import { connectHost, freshRoom, salt } from './lib/swarm-fixture.ts'

export interface SameProgramFigures {
  readonly tasks: number
  readonly aloneMs: number
  readonly aloneExecuted: number
  /** Until both instances had every result. */
  readonly togetherMs: number
  /** Runs across both instances' workers. */
  readonly togetherExecuted: number
}

async function run(hosts: readonly Swarm[], name: string, tasks: number, n: number): Promise<{ ms: number; executed: number }> {
  const before = hosts.reduce((sum, host) => sum + host.status().executed, 0)
  const args = Array.from({ length: tasks }, (_, i) => ({ n, seed: i + 1 }))
  const t0 = performance.now()
  const results = await Promise.all(hosts.map((host) => host.pure(churn, { name, leaseMs: 10_000 }).parallel(args)))
  const ms = performance.now() - t0
  for (const values of results) if (values[1] !== churn(args[1] as { n: number; seed: number })) throw new Error('same program: a wrong result')
  return { ms, executed: hosts.reduce((sum, host) => sum + host.status().executed, 0) - before }
}

export async function measureSameProgram(signaling: SignalingServer, tasks: number, n: number): Promise<SameProgramFigures> {
  const room = freshRoom('same-program')
  const first = await connectHost(signaling, room, 1)
  let second: Swarm | undefined
  try {
    await run([first], `same-warm-${salt()}`, 4, Math.round(n / 10))
    const alone = await run([first], `same-alone-${salt()}`, tasks, n)
    second = await connectHost(signaling, room, 1)
    const both = [first, second]
    await waitUntil('both instances see 2 workers', () => both.every((host) => host.status().workers >= 2), 30_000)
    await run(both, `same-warm-${salt()}`, 4, Math.round(n / 10))
    const together = await run(both, `same-together-${salt()}`, tasks, n)
    return { tasks, aloneMs: alone.ms, aloneExecuted: alone.executed, togetherMs: together.ms, togetherExecuted: together.executed }
  } finally {
    await second?.close()
    await first.close()
  }
}
