#!/usr/bin/env tsx
/**
 * `npx tsx signaling/src/cli.ts [flags]`: runs the signaling server until
 * SIGINT or SIGTERM. Flags win over environment variables.
 */
import { parseArgs } from 'node:util'
import { DEFAULT_SIGNALING_PORT } from './protocol.ts'
import { parseAdminGrants } from './admins.ts'
import { DEFAULTS, parseIceServers } from './options.ts'
import { startSignalingServer, type SignalingServer } from './server.ts'
import { DEFAULT_TURN_TTL_SECONDS } from './turn-credentials.ts'

const USAGE = `usage: tsx signaling/src/cli.ts [flags]

  --port <n>             port to listen on, 0 for any (env PORT; default ${DEFAULT_SIGNALING_PORT})
  --host <addr>          interface to bind (env HOST; default ${DEFAULTS.host}; 0.0.0.0 to serve the network)
  --ice <json>           STUN/TURN servers for peers, a JSON array of {urls, username?, credential?}
                         (env TESSERA_ICE_SERVERS; default none)
  --turn-url <url>       a coturn server (turn:HOST:PORT) for which each client gets its own short-lived
                         credential; repeatable or comma-separated (env TESSERA_TURN_URLS; docs/turn.md)
  --turn-secret <s>      coturn's static-auth-secret (env TESSERA_TURN_SECRET, preferred)
  --turn-ttl <s>         seconds each TURN credential lasts (env TESSERA_TURN_TTL; default ${DEFAULT_TURN_TTL_SECONDS})
  --secret <s>           HMAC secret for private-room tokens, at least 16 characters; the certificate
                         issuer key derives from it, so servers sharing it agree
                         (env TESSERA_SIGNALING_SECRET, preferred: flags show up in ps)
  --private-rooms <list> comma-separated rooms needing a token besides private:*; "name*" is a prefix
                         (env TESSERA_PRIVATE_ROOMS)
  --admin <[room=]id>    a peer id the server certifies as a room admin (it may cancel anyone's
                         job), in every room or only in <room>; repeatable, or comma-separated
                         (env TESSERA_ADMINS)
  --max-identities-per-subject <n>
                         peer ids one subject (a token's, or a network prefix in public rooms)
                         may have bound in a room at once, default ${DEFAULTS.maxIdentitiesPerSubject}
  --certificate-lifetime <s>
                         seconds a subject certificate is valid, default ${DEFAULTS.certificateLifetimeMs / 1000}
  --ipv6-subject-prefix <bits>
                         IPv6 prefix that is one subject in public rooms, 48 to 64, default ${DEFAULTS.ipv6SubjectPrefix}
  --redis <url>          share rooms with every instance on this Redis, redis://host:port
                         (env TESSERA_REDIS_URL; needs --secret, the same on every instance)
  --trust-proxy <list>   reverse proxies whose X-Forwarded-For names the client (env TESSERA_TRUST_PROXY)
  --max-connections <n>  default ${DEFAULTS.maxConnections}
  --max-rooms <n>        rooms per connection, default ${DEFAULTS.maxRooms}
  --max-payload <bytes>  largest frame, default ${DEFAULTS.maxPayload}
  --help`

function main(): void {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        ice: { type: 'string' },
        'turn-url': { type: 'string', multiple: true },
        'turn-secret': { type: 'string' },
        'turn-ttl': { type: 'string' },
        secret: { type: 'string' },
        'private-rooms': { type: 'string' },
        admin: { type: 'string', multiple: true },
        'max-connections': { type: 'string' },
        'max-identities-per-subject': { type: 'string' },
        'certificate-lifetime': { type: 'string' },
        'ipv6-subject-prefix': { type: 'string' },
        'max-rooms': { type: 'string' },
        'max-payload': { type: 'string' },
        redis: { type: 'string' },
        'trust-proxy': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2)
  }
  if (values.help === true) {
    console.log(USAGE)
    return
  }

  const env = process.env
  const ice = values.ice ?? env['TESSERA_ICE_SERVERS']
  const privateRooms = (values['private-rooms'] ?? env['TESSERA_PRIVATE_ROOMS'])
    ?.split(',')
    .map((room) => room.trim())
    .filter((room) => room.length > 0)
  const secret = values.secret ?? env['TESSERA_SIGNALING_SECRET']
  const adminList = values.admin?.join(',') ?? env['TESSERA_ADMINS'] ?? ''
  const turnUrls = (values['turn-url']?.join(',') ?? env['TESSERA_TURN_URLS'] ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0)
  const turnSecret = values['turn-secret'] ?? env['TESSERA_TURN_SECRET'] ?? ''
  if ((turnUrls.length > 0) !== (turnSecret !== '')) fail('signaling: --turn-url and --turn-secret go together (coturn servers and their static-auth-secret)', 2)
  const redis = values.redis ?? env['TESSERA_REDIS_URL']
  const trustProxy = (values['trust-proxy'] ?? env['TESSERA_TRUST_PROXY'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)

  let start: Promise<SignalingServer>
  try {
    start = startSignalingServer({
      port: integer('--port', values.port ?? env['PORT'], DEFAULT_SIGNALING_PORT),
      host: values.host ?? env['HOST'] ?? DEFAULTS.host,
      iceServers: ice === undefined || ice.trim() === '' ? [] : parseIceServers(ice),
      ...(secret === undefined || secret === '' ? {} : { secret }),
      ...(turnUrls.length === 0 ? {} : { turn: { urls: turnUrls, secret: turnSecret, ttlSeconds: integer('--turn-ttl', values['turn-ttl'] ?? env['TESSERA_TURN_TTL'], DEFAULT_TURN_TTL_SECONDS) } }),
      ...(privateRooms === undefined ? {} : { privateRooms }),
      admins: parseAdminGrants(adminList),
      ...(redis === undefined || redis === '' ? {} : { redis }),
      ...(trustProxy.length === 0 ? {} : { trustProxy }),
      maxConnections: integer('--max-connections', values['max-connections'], DEFAULTS.maxConnections),
      maxRooms: integer('--max-rooms', values['max-rooms'], DEFAULTS.maxRooms),
      maxIdentitiesPerSubject: integer('--max-identities-per-subject', values['max-identities-per-subject'], DEFAULTS.maxIdentitiesPerSubject),
      certificateLifetimeMs: 1000 * integer('--certificate-lifetime', values['certificate-lifetime'], DEFAULTS.certificateLifetimeMs / 1000),
      ipv6SubjectPrefix: integer('--ipv6-subject-prefix', values['ipv6-subject-prefix'], DEFAULTS.ipv6SubjectPrefix),
      maxPayload: integer('--max-payload', values['max-payload'], DEFAULTS.maxPayload),
      log: (line) => console.error(line),
    })
  } catch (error) {
    fail(`signaling: ${(error as Error).message}`, 2)
  }

  start.then(
    (server) => {
      const host = server.host.includes(':') ? `[${server.host}]` : server.host
      console.log(`signaling listening on ws://${host}:${server.port}`)
      let stopping = false
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) process.exit(130) // a second signal means "now"
        stopping = true
        console.error(`signaling: ${signal}, closing`)
        server.close().then(
          () => process.exit(0),
          (error: unknown) => fail(`signaling: close failed: ${String(error)}`, 1),
        )
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    },
    (error: unknown) => fail(`signaling: cannot start: ${(error as Error).message}`, 1),
  )
}

function integer(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value)) fail(`signaling: ${flag} must be an integer, got ${JSON.stringify(text)}`, 2)
  return value
}

function fail(message: string, code: number): never {
  console.error(message)
  process.exit(code)
}

main()
