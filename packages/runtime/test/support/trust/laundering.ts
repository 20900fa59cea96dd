import { addTasks, asJobId, definePure, encodeAndAddress, JobDoc, JobIndex, jobDocGuid, submitJob, taskKeyOf, type TaskKey } from '@tessera/core'
import type { Settled } from '@tessera/runtime'
import type { SimArena } from './arena.ts'

/**
 * Laundering (issue 14): a job whose task records carry another function's
 * task keys. The attacker submits `square` over some arguments, but its task
 * records name the calls of the victim's `cube` on the same arguments: had a
 * donor reported under the task's key, `cube` would be served squares.
 */
export interface LaunderingFigures {
  readonly victimKeys: number
  /** Tasks of the laundering job that honest donors ran. */
  readonly runs: number
  /** Victim keys with any verified cache entry before the victim called. */
  readonly cachedUnderVictimKeys: number
  /** Wrong results the victim was then served. */
  readonly wrongServed: number
}

const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
const cube = ({ x }: { x: number }): number => x * x * x

export async function launder(arena: SimArena, count = 30, log: (line: string) => void = () => {}): Promise<LaunderingFigures> {
  const victim = await arena.host('victim')
  const attacker = (await arena.host('mallory')).peer
  const victimFn = victim.pure(cube, { name: 'cube' })
  const xs = Array.from({ length: count }, (_, x) => x + 2)
  const victimKeys: TaskKey[] = xs.map((x) => taskKeyOf(victimFn.definition.address, encodeAndAddress({ x }, 'args').address))

  const runsBefore = arena.sim.donors.reduce((sum, donor) => sum + (donor.donor?.runs ?? 0), 0)
  // Honest task records, built aside; the job's real document gets them with the victim's keys.
  const id = asJobId('launder')
  const scratch = new JobDoc(id)
  const { spec } = await submitJob(attacker.swarm, attacker.values, { id, fn: square, argsList: xs.map((x) => ({ x })), identity: attacker.identity, now: arena.clock.now(), job: scratch })
  const honest = new JobIndex(scratch, spec)
  const forged = xs.map((_, i) => ({ ...honest.task(String(i))!, key: victimKeys[i]! }))
  honest.close()
  const job = new JobDoc(id, await attacker.openDoc(jobDocGuid(id)))
  job.transact(() => addTasks(job, forged))
  await arena.until(() => false, 10_000)

  const runs = arena.sim.donors.reduce((sum, donor) => sum + (donor.donor?.runs ?? 0), 0) - runsBefore
  const cachedUnderVictimKeys = victimKeys.filter((key) => victim.peer.swarm.cached(key) !== undefined).length
  const served = (await arena.settle(victimFn.parallel(xs.map((x) => ({ x })), { settle: true }))) as Array<Settled<{ x: number }, number>>
  const wrongServed = served.filter((s) => s.status !== 'fulfilled' || s.value !== cube(s.args)).length
  log(`laundering: ${runs} laundered tasks run, ${cachedUnderVictimKeys} of ${count} victim keys cached, ${wrongServed} wrong results served to the victim`)
  return { victimKeys: count, runs, cachedUnderVictimKeys, wrongServed }
}
