import { TesseraError } from '@tessera/core'
import { parseTaskRef } from '@tessera/runtime'
import { connect } from '../../connect.ts'
import { integerFlag, stringFlag, type ParsedCommand } from '../args.ts'
import { UsageError } from '../cli-errors.ts'
import { closeQuietly } from '../close-quietly.ts'
import { connectionFrom } from '../connection.ts'
import type { CliIo } from '../io.ts'
import { assertSignalingReachable } from '../reach-signaling.ts'
import { settle } from '../settle.ts'

/** `tessera result REF` found no result in the room within --wait. */
export class ResultNotFoundError extends TesseraError {
  override name = 'ResultNotFoundError'
}

/** `tessera result REF`: one result, by its durable reference, as JSON on stdout. */
export async function resultCommand(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const ref = parsed.positionals[0] ?? ''
  try {
    parseTaskRef(ref)
  } catch (error) {
    throw new UsageError((error as Error).message, 'result')
  }
  const connection = connectionFrom('result', parsed.flags, io.env)
  const waitMs = integerFlag('result', 'wait', stringFlag(parsed.flags, 'wait'), 30_000, { min: 0, max: 86_400_000 })
  const cacheDir = stringFlag(parsed.flags, 'cache-dir') ?? false
  await assertSignalingReachable({ url: connection.signaling, ...connection })
  const swarm = await connect({ ...connection, workers: 0, cacheDir })
  try {
    // The swarm document (and so the cache) arrives from the peers after connecting.
    await settle(swarm, Math.min(waitMs, 2_000))
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), waitMs)
    try {
      const value = await swarm.result(ref, { signal: abort.signal })
      io.stdout.write(`${JSON.stringify(value, null, 2) ?? 'undefined'}\n`)
    } catch (error) {
      if (abort.signal.aborted) throw new ResultNotFoundError(`no result for ${ref} in room "${connection.room}" within ${waitMs} ms (is a peer that holds it, or that runs its job, in the room?)`)
      throw error
    } finally {
      clearTimeout(timer)
    }
  } finally {
    await closeQuietly(() => swarm.close())
  }
  return 0
}
