import { TesseraError } from '@tessera/core'
import { JobNotFoundError, parseTaskRef, type JobResult } from '@tessera/runtime'
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

/**
 * `tessera result REF`: one result, by its durable reference, as JSON on
 * stdout. `tessera result JOB`: every result of a job (`tessera jobs` lists
 * them), as a JSON array in task order, a failed call as `{ "error": ... }`.
 */
export async function resultCommand(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const ref = parsed.positionals[0] ?? ''
  const wholeJob = !ref.startsWith('tessera:')
  try {
    if (!wholeJob) parseTaskRef(ref)
    else if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(ref)) throw new TypeError(`not a job id or a task reference: ${JSON.stringify(ref)} (tessera jobs lists job ids)`)
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
      if (wholeJob) return printJobResults(await swarm.jobResults(ref, { signal: abort.signal }), io)
      const value = await swarm.result(ref, { signal: abort.signal })
      io.stdout.write(`${JSON.stringify(value, null, 2) ?? 'undefined'}\n`)
    } catch (error) {
      if (abort.signal.aborted && !(error instanceof JobNotFoundError)) throw new ResultNotFoundError(`no result for ${ref} in room "${connection.room}" within ${waitMs} ms (is a peer that holds it, or that runs its job, in the room?)`)
      throw error
    } finally {
      clearTimeout(timer)
    }
  } finally {
    await closeQuietly(() => swarm.close())
  }
  return 0
}

/** A job's results as one JSON array; exits 1 when any call failed, saying how many. */
function printJobResults(results: readonly JobResult[], io: CliIo): number {
  const shown = results.map((r) => (r.ok ? r.value : { error: { name: r.error.name, message: r.error.message } }))
  io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
  const failed = results.filter((r) => !r.ok).length
  if (failed === 0) return 0
  io.stderr.write(`tessera result: ${failed} of ${results.length} calls failed\n`)
  return 1
}
