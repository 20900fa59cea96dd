import { CancelledError, jobDocGuid, type JobId } from '@tessera/core'
import type { Swarm } from '@tessera/runtime'
import type { SimArena } from './arena.ts'
import { writeRaw } from './hostile-peers.ts'

/**
 * Anyone controls any job (issue 14): a stranger stops a host's running job,
 * through the public API (`stopJob`) and by raw writes (the job entry's state
 * and the job document's `cancelled` flag). The figure: the victim's batches
 * that ended in `CancelledError` because of it.
 */
export interface JobControlFigures {
  readonly attempts: number
  readonly stoppedThroughApi: number
  readonly stoppedByRawWrites: number
}

const slow = ({ x }: { x: number }): number => x + 1

async function attempt(arena: SimArena, victim: Swarm, stranger: Swarm, round: string, stop: (id: JobId) => Promise<void>): Promise<boolean> {
  const name = `victim-${round}`
  const call = victim.pure(slow, { name }).parallel(Array.from({ length: 200 }, (_, x) => ({ x })))
  const ended = call.then(
    () => false,
    (error: unknown) => error instanceof CancelledError,
  )
  let stopped: boolean | undefined
  void ended.then((value) => (stopped = value))
  await arena.until(() => stranger.jobs().some((job) => job.name === name && job.state === 'open'), 5_000)
  const job = stranger.jobs().find((entry) => entry.name === name && entry.state === 'open')
  if (job !== undefined) await stop(job.id as JobId).catch(() => {})
  await arena.until(() => stopped !== undefined, 60_000)
  return stopped === true
}

export async function strangerStopsJobs(arena: SimArena, rounds = 3, log: (line: string) => void = () => {}): Promise<JobControlFigures> {
  const victim = await arena.host('victim')
  const stranger = await arena.host('stranger')
  let throughApi = 0
  let byRaw = 0
  for (let i = 0; i < rounds; i++) {
    if (await attempt(arena, victim, stranger, `api-${i}`, async (id) => void (await stranger.stopJob(id)))) throughApi++
    const raw = async (id: JobId): Promise<void> => {
      const entry = stranger.peer.swarm.doc.getMap('jobs').get(id) as Record<string, unknown>
      writeRaw(stranger.peer, 'jobs', [[id, { ...entry, state: 'cancelled' }]])
      ;(await stranger.peer.openDoc(jobDocGuid(id))).getMap('control').set('cancelled', true)
    }
    if (await attempt(arena, victim, stranger, `raw-${i}`, raw)) byRaw++
  }
  log(`job control: a stranger stopped ${throughApi} of ${rounds} jobs through stopJob and ${byRaw} of ${rounds} by raw writes`)
  return { attempts: rounds, stoppedThroughApi: throughApi, stoppedByRawWrites: byRaw }
}
