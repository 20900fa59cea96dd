import { DEFAULT_ROOM, DEFAULT_SIGNALING_URL } from '@tessera/mesh/node'
import { stringFlag, type CommandName, type ParsedCommand } from './args.ts'
import { UsageError } from './cli-errors.ts'

export interface Connection {
  /** One URL, or several instances that share rooms (`--signaling a,b`): each is tried in turn. */
  readonly signaling: string | readonly string[]
  readonly room: string
  readonly token?: string
}

/** `--signaling`, `--room` and `--token`, else their environment variables, else the embedded defaults. */
export function connectionFrom(command: CommandName, flags: ParsedCommand['flags'], env: Readonly<Record<string, string | undefined>>): Connection {
  const urls = (stringFlag(flags, 'signaling') ?? env['TESSERA_SIGNALING'] ?? DEFAULT_SIGNALING_URL)
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0)
  for (const url of urls) if (!/^wss?:\/\/[^/]/.test(url)) throw new UsageError(`--signaling must be a ws:// or wss:// URL (or several, comma-separated), got "${url}"`, command)
  if (urls.length === 0) throw new UsageError('--signaling must not be empty', command)
  const signaling = urls.length === 1 ? (urls[0] as string) : urls
  const room = stringFlag(flags, 'room') ?? env['TESSERA_ROOM'] ?? DEFAULT_ROOM
  if (room === '') throw new UsageError('--room must not be empty', command)
  const token = stringFlag(flags, 'token') ?? env['TESSERA_TOKEN']
  return { signaling, room, ...(token === undefined || token === '' ? {} : { token }) }
}

/** The URL to show a person (the first of several). */
export function shownUrl(signaling: string | readonly string[]): string {
  return typeof signaling === 'string' ? signaling : (signaling[0] ?? '')
}
