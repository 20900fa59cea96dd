import { connect } from '../../connect.ts'
import { integerFlag, stringFlag, type ParsedCommand } from '../args.ts'
import { closeQuietly } from '../close-quietly.ts'
import { connectionFrom } from '../connection.ts'
import type { CliIo } from '../io.ts'
import { formatJobHistory } from '../job-history.ts'
import { assertSignalingReachable } from '../reach-signaling.ts'
import { settle } from '../settle.ts'

/**
 * `tessera jobs`: the room's job history. Job entries live in the swarm
 * document, which every peer keeps and replicates, so a finished job stays
 * listed after its submitter leaves (its per-task document is let go; its
 * counts come from its entry). With `--cache-dir`, the document a host
 * stored there is read too, for when no peer is left in the room.
 */
export async function jobsCommand(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const connection = connectionFrom('jobs', parsed.flags, io.env)
  const waitMs = integerFlag('jobs', 'wait', stringFlag(parsed.flags, 'wait'), 2_000, { min: 0, max: 600_000 })
  const limit = integerFlag('jobs', 'limit', stringFlag(parsed.flags, 'limit'), 20, { min: 1, max: 1_000 })
  await assertSignalingReachable({ url: connection.signaling, ...connection })
  const cacheDir = stringFlag(parsed.flags, 'cache-dir')
  const swarm = await connect({ ...connection, workers: 0, cacheDir: cacheDir ?? false })
  try {
    await settle(swarm, waitMs)
    const jobs = swarm.jobs({ limit }).slice(0, limit)
    io.stdout.write(parsed.flags['json'] === true ? `${JSON.stringify(jobs, null, 2)}\n` : `${formatJobHistory(jobs, { readCacheDir: cacheDir !== undefined })}\n`)
  } finally {
    await closeQuietly(() => swarm.close())
  }
  return 0
}
