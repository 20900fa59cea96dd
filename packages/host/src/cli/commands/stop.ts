import { join } from 'node:path'
import { JobOwnerError } from '@tessera/core'
import { DEFAULT_DATA_DIR, readStoredIdentity } from '@tessera/mesh/node'
import { connect } from '../../connect.ts'
import { integerFlag, stringFlag, type ParsedCommand } from '../args.ts'
import { NoSuchJobError } from '../cli-errors.ts'
import { closeQuietly } from '../close-quietly.ts'
import { connectionFrom } from '../connection.ts'
import type { CliIo } from '../io.ts'
import { assertSignalingReachable } from '../reach-signaling.ts'
import { settle } from '../settle.ts'

/** Long enough for the cancellation to leave this peer before it disconnects. */
const LINGER_MS = 1_500

/** `tessera stop [--job ID]`: marks the job (or every open job) cancelled; donors drop its tasks. */
export async function stopCommand(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const connection = connectionFrom('stop', parsed.flags, io.env)
  const waitMs = integerFlag('stop', 'wait', stringFlag(parsed.flags, 'wait'), 2_000, { min: 0, max: 600_000 })
  const only = stringFlag(parsed.flags, 'job')
  await assertSignalingReachable({ url: connection.signaling, ...connection })
  // The submitting host's key signs the cancellation; this process joins under a fresh id of its own.
  const dataDir = join(stringFlag(parsed.flags, 'cache-dir') ?? DEFAULT_DATA_DIR, encodeURIComponent(connection.room))
  const stored = await readStoredIdentity(dataDir)
  const swarm = await connect({ ...connection, workers: 0, cacheDir: false, ...(stored === undefined ? {} : { controlKeys: [stored] }) })
  try {
    await settle(swarm, waitMs)
    const jobs = swarm.jobs({ limit: 1_000 })
    const targets = only === undefined ? jobs.filter((job) => job.state === 'open') : jobs.filter((job) => job.id === only)
    if (only !== undefined && targets[0] === undefined) throw new NoSuchJobError(`no job ${only} in room "${connection.room}" (see tessera status)`)
    if (only !== undefined && targets[0]?.state !== 'open') throw new NoSuchJobError(`job ${only} is already ${targets[0]?.state ?? 'gone'}`)
    if (targets.length === 0) {
      io.stdout.write(`no open jobs in room "${connection.room}"\n`)
      return 0
    }
    let others = 0
    for (const job of targets) {
      try {
        if (await swarm.stopJob(job.id)) io.stdout.write(`stopped job ${job.id} (${job.name}, ${job.done}/${job.total} done)\n`)
      } catch (error) {
        if (!(error instanceof JobOwnerError)) throw error
        // Asked for by name: say why not. Swept up with every open job: count it.
        if (only !== undefined) throw new JobOwnerError(`job ${only} was submitted by ${job.submittedBy}, not by the host whose key is in ${dataDir}; only its submitter can stop it`)
        others++
      }
    }
    if (others > 0) io.stdout.write(`left ${others} open job${others === 1 ? '' : 's'} submitted by other peers (only a job's submitter can stop it)\n`)
    await new Promise((resolve) => setTimeout(resolve, LINGER_MS))
  } finally {
    await closeQuietly(() => swarm.close())
  }
  return 0
}
