import { isSubjectName } from '@tessera/core'
import { MIN_SECRET_LENGTH, signRoomToken } from '@tessera/signaling'
import { stringFlag, type ParsedCommand } from '../args.ts'
import { UsageError } from '../cli-errors.ts'
import { parseDuration } from '../duration.ts'
import type { CliIo } from '../io.ts'

/** `tessera token --room R [--subject NAME] [--admin]`: a room token signed with the server's secret. */
export async function tokenCommand(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const room = stringFlag(parsed.flags, 'room')
  if (room === undefined || room === '') throw new UsageError('--room is required', 'token')
  const secret = stringFlag(parsed.flags, 'secret') ?? io.env['TESSERA_SIGNALING_SECRET']
  if (secret === undefined || secret.length < MIN_SECRET_LENGTH) {
    throw new UsageError(`set TESSERA_SIGNALING_SECRET (or --secret) to the server's secret, at least ${MIN_SECRET_LENGTH} characters`, 'token')
  }
  const expires = stringFlag(parsed.flags, 'expires') ?? '7d'
  const expiresInSeconds = parseDuration(expires)
  if (expiresInSeconds === undefined) throw new UsageError(`--expires must be like 3600, 90m, 12h or 7d, got "${expires}"`, 'token')
  const peer = stringFlag(parsed.flags, 'peer')
  const subject = stringFlag(parsed.flags, 'subject')
  if (subject !== undefined && !isSubjectName(subject)) {
    throw new UsageError(`--subject must be 1 to 64 letters, digits and . _ @ + - (starting with a letter or digit), got "${subject}"`, 'token')
  }
  const admin = parsed.flags['admin'] === true
  const token = signRoomToken({ secret, room, expiresInSeconds, ...(peer === undefined ? {} : { peer }), ...(subject === undefined ? {} : { subject }), ...(admin ? { admin } : {}) })
  io.stdout.write(`${token}\n`)
  return 0
}
