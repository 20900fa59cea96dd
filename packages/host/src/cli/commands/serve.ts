import { parseAdminGrants, parseIceServers } from '@tessera/signaling'
import { startTesseraServer } from '../../serve/tessera-server.ts'
import { integerFlag, stringFlag, stringsFlag, type ParsedCommand } from '../args.ts'
import { UsageError } from '../cli-errors.ts'
import type { CliIo } from '../io.ts'
import { turnFromFlags } from '../turn-flags.ts'

/** `tessera serve`: signaling and the donate page on one port, until Ctrl-C. */
export async function serveCommand(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const { flags, env } = { flags: parsed.flags, env: io.env }
  const port = integerFlag('serve', 'port', stringFlag(flags, 'port') ?? env['PORT'], 8787, { min: 0, max: 65_535 })
  const ice = stringFlag(flags, 'ice') ?? env['TESSERA_ICE_SERVERS']
  const secret = stringFlag(flags, 'secret') ?? env['TESSERA_SIGNALING_SECRET']
  const privateRooms = (stringFlag(flags, 'private-rooms') ?? env['TESSERA_PRIVATE_ROOMS'])
    ?.split(',')
    .map((room) => room.trim())
    .filter((room) => room.length > 0)
  const room = stringFlag(flags, 'room') ?? 'default'
  const redis = stringFlag(flags, 'redis') ?? env['TESSERA_REDIS_URL']
  const trustProxy = (stringFlag(flags, 'trust-proxy') ?? env['TESSERA_TRUST_PROXY'])
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
  let admins
  try {
    const named = stringsFlag(flags, 'admin')
    admins = parseAdminGrants(named.length > 0 ? named.join(',') : (env['TESSERA_ADMINS'] ?? ''))
  } catch (error) {
    throw new UsageError(`--admin: ${(error as Error).message}`, 'serve')
  }
  let iceServers
  try {
    iceServers = ice === undefined || ice.trim() === '' ? undefined : parseIceServers(ice)
  } catch (error) {
    throw new UsageError(`--ice: ${(error as Error).message}`, 'serve')
  }
  const turn = turnFromFlags(flags, env)
  const staticDir = stringFlag(flags, 'static')
  let server
  try {
    server = await startTesseraServer({
      port,
      host: stringFlag(flags, 'host') ?? env['HOST'] ?? '127.0.0.1',
      ...(staticDir === undefined ? {} : { staticDir }),
      ...(secret === undefined || secret === '' ? {} : { secret }),
      ...(privateRooms === undefined || privateRooms.length === 0 ? {} : { privateRooms }),
      ...(admins.length === 0 ? {} : { admins }),
      ...(iceServers === undefined ? {} : { iceServers }),
      ...(turn === undefined ? {} : { turn }),
      ...(redis === undefined || redis === '' ? {} : { redis }),
      ...(trustProxy === undefined || trustProxy.length === 0 ? {} : { trustProxy }),
      log: (line) => io.stderr.write(`${line}\n`),
    })
  } catch (error) {
    // resolveOptions refuses bad option values (a short secret) with these.
    if (error instanceof RangeError || error instanceof TypeError) throw new UsageError(error.message, 'serve')
    throw error
  }
  if ('missing' in server.page) io.stderr.write(`no page to serve (${server.page.missing}); signaling only\n`)
  io.stdout.write(
    [
      `Tessera is serving on ${server.httpUrl}/?room=${encodeURIComponent(room)}`,
      `  open that URL in browser tabs to donate them; hosts connect with --signaling ${server.signalingUrl}`,
      `  health: ${server.httpUrl}/healthz   metrics: ${server.httpUrl}/metrics   Ctrl-C stops it`,
      secret === undefined || secret === ''
        ? '  HTTP job API: off until a --secret is set (it checks room tokens)'
        : `  HTTP job API: ${server.httpUrl}/api/jobs with a room token (tessera token; docs/http-api.md)`,
      ...(turn === undefined ? [] : [`  TURN: ${turn.urls.join(', ')}, a credential per client valid ${turn.ttlSeconds} s (docs/turn.md)`]),
      '',
    ].join('\n'),
  )
  const signal = await io.interrupted()
  io.stderr.write(`${signal}: closing\n`)
  await server.close()
  return 0
}
