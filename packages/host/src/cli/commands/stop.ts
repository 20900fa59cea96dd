import { join } from 'node:path'
import { JobOwnerError } from '@tessera/core'
import { DEFAULT_DATA_DIR, loadNodeIdentity, readStoredIdentity } from '@tessera/mesh/node'
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

/** `tessera stop [--job ID]`: cancels the job (or every open job of the stored key); donors drop its tasks. */
export async function stopCommand(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const connection = connectionFrom('stop', parsed.flags, io.env)
  const waitMs = integerFlag('stop', 'wait', stringFlag(parsed.flags, 'wait'), 2_000, { min: 0, max: 600_000 })
  const only = stringFlag(parsed.flags, 'job')
  await assertSignalingReachable({ url: connection.signaling, ...connection })
  // The stored key signs, as the job's submitter or as a room admin. While its host runs (it holds the
  // key's lock), this process joins under a fresh id and signs with the key, whose host's certificate is
  // live; otherwise it takes the key and joins as it, so the server certifies it (as an admin, if it is one).
  const dataDir = join(stringFlag(parsed.flags, 'cache-dir') ?? DEFAULT_DATA_DIR, encodeURIComponent(connection.room))
  const stored = await readStoredIdentity(dataDir)
  const held = stored === undefined ? undefined : await loadNodeIdentity(dataDir)
  const own = held?.ephemeral === undefined ? held?.identity : undefined
  const keys = own !== undefined ? { identity: own } : stored !== undefined ? { controlKeys: [stored] } : {}
  const swarm = await connect({ ...connection, workers: 0, cacheDir: false, ...keys }).catch(async (error: unknown) => {
    await held?.release()
    throw error
  })
  try {
    await settle(swarm, waitMs)
    const jobs = swarm.jobs({ limit: 1_000 }).filter((job) => only === undefined || job.id === only)
    if (only !== undefined && jobs[0] === undefined) throw new NoSuchJobError(`no job ${only} in room "${connection.room}" (see tessera status)`)
    if (only !== undefined && jobs[0]?.state !== 'open') throw new NoSuchJobError(`job ${only} is already ${jobs[0]?.state ?? 'gone'}`)
    // Without --job, only the key's own jobs: an admin's sweep would stop everyone's.
    const signers = new Set<string | undefined>([swarm.peer.id, stored?.peer])
    const open = jobs.filter((job) => job.state === 'open')
    const targets = only === undefined ? open.filter((job) => signers.has(job.submittedBy)) : open
    const others = open.length - targets.length
    if (open.length === 0) {
      io.stdout.write(`no open jobs in room "${connection.room}"\n`)
      return 0
    }
    for (const job of targets) {
      try {
        if (await swarm.stopJob(job.id)) io.stdout.write(`stopped job ${job.id} (${job.name}, ${job.done}/${job.total} done)\n`)
      } catch (error) {
        if (!(error instanceof JobOwnerError)) throw error
        const key = stored === undefined ? `this process's key (no identity in ${dataDir})` : `the key in ${dataDir} (${stored.peer})`
        throw new JobOwnerError(`job ${job.id} was submitted by ${job.submittedBy}; ${key} is neither its submitter's nor a room admin's (tessera serve --admin <id>, or a token from tessera token --admin)`)
      }
    }
    if (others > 0) io.stdout.write(`left ${others} open job${others === 1 ? '' : 's'} submitted by other peers (stop one with --job: only its submitter or a room admin can)\n`)
    await new Promise((resolve) => setTimeout(resolve, LINGER_MS))
  } finally {
    await closeQuietly(() => swarm.close())
    await held?.release()
  }
  return 0
}
