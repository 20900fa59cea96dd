import { connect } from '../../connect.ts'
import { integerFlag, stringFlag, type ParsedCommand } from '../args.ts'
import { closeQuietly } from '../close-quietly.ts'
import { connectionFrom, shownUrl } from '../connection.ts'
import type { CliIo } from '../io.ts'
import { assertSignalingReachable } from '../reach-signaling.ts'
import { settle } from '../settle.ts'
import { formatReport, swarmReport } from '../swarm-report.ts'

/** `tessera status`: joins as a peer with no workers and no storage, looks, prints, leaves. */
export async function statusCommand(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const connection = connectionFrom('status', parsed.flags, io.env)
  const waitMs = integerFlag('status', 'wait', stringFlag(parsed.flags, 'wait'), 2_000, { min: 0, max: 600_000 })
  await assertSignalingReachable({ url: connection.signaling, ...connection })
  const swarm = await connect({ ...connection, workers: 0, cacheDir: false })
  try {
    await settle(swarm, waitMs)
    const report = swarmReport(swarm, { room: connection.room, signaling: shownUrl(connection.signaling) })
    io.stdout.write(parsed.flags['json'] === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`)
  } finally {
    await closeQuietly(() => swarm.close())
  }
  return 0
}
