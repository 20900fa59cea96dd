import { DEFAULT_TURN_TTL_SECONDS, type TurnOptions } from '@tessera/signaling'
import { integerFlag, stringFlag, stringsFlag, type ParsedCommand } from './args.ts'
import { UsageError } from './cli-errors.ts'

/**
 * `tessera serve --turn-url turn:HOST:PORT --turn-secret S [--turn-ttl SECONDS]`
 * (or TESSERA_TURN_URLS, TESSERA_TURN_SECRET, TESSERA_TURN_TTL): coturn servers
 * sharing a `static-auth-secret`, for which every client gets its own
 * short-lived credential. Undefined when neither URL nor secret is given.
 */
export function turnFromFlags(flags: ParsedCommand['flags'], env: Readonly<Record<string, string | undefined>>): TurnOptions | undefined {
  const named = stringsFlag(flags, 'turn-url')
  const urls = (named.length > 0 ? named.join(',') : (env['TESSERA_TURN_URLS'] ?? ''))
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0)
  const secret = stringFlag(flags, 'turn-secret') ?? env['TESSERA_TURN_SECRET'] ?? ''
  if (urls.length === 0 && secret === '') return undefined
  if (urls.length === 0) throw new UsageError('--turn-secret needs --turn-url turn:HOST:PORT (or TESSERA_TURN_URLS): the coturn servers that share it', 'serve')
  if (secret === '') throw new UsageError("--turn-url needs --turn-secret (or TESSERA_TURN_SECRET): coturn's static-auth-secret", 'serve')
  const ttlSeconds = integerFlag('serve', 'turn-ttl', stringFlag(flags, 'turn-ttl') ?? env['TESSERA_TURN_TTL'], DEFAULT_TURN_TTL_SECONDS, { min: 60, max: 7 * 24 * 60 * 60 })
  return { urls, secret, ttlSeconds }
}
