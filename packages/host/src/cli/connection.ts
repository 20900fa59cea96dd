import { DEFAULT_ROOM, DEFAULT_SIGNALING_URL } from '@tessera/mesh/node'
import { stringFlag, type CommandName, type ParsedCommand } from './args.ts'
import { UsageError } from './cli-errors.ts'

export interface Connection {
  readonly signaling: string
  readonly room: string
  readonly token?: string
}

/** `--signaling`, `--room` and `--token`, else their environment variables, else the embedded defaults. */
export function connectionFrom(command: CommandName, flags: ParsedCommand['flags'], env: Readonly<Record<string, string | undefined>>): Connection {
  const signaling = stringFlag(flags, 'signaling') ?? env['TESSERA_SIGNALING'] ?? DEFAULT_SIGNALING_URL
  if (!/^wss?:\/\/[^/]/.test(signaling)) throw new UsageError(`--signaling must be a ws:// or wss:// URL, got "${signaling}"`, command)
  const room = stringFlag(flags, 'room') ?? env['TESSERA_ROOM'] ?? DEFAULT_ROOM
  if (room === '') throw new UsageError('--room must not be empty', command)
  const token = stringFlag(flags, 'token') ?? env['TESSERA_TOKEN']
  return { signaling, room, ...(token === undefined || token === '' ? {} : { token }) }
}
