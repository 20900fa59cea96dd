/**
 * What each `tessera` command accepts: its flags, help text and positionals.
 * Parsing them is `args.ts`'s job.
 */
import { PIN_SPEC } from './pin-spec.ts'
import { common, COMMON, commonFlags, connection, CONNECTION, type CommandSpec } from './shared-flags.ts'

export type { CommandSpec, OptionKind } from './shared-flags.ts'
export type CommandName = 'serve' | 'run' | 'status' | 'jobs' | 'result' | 'stop' | 'token' | 'pin'

export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  serve: {
    summary: 'run the signaling server and the donate page on one port',
    usage: `usage: tessera serve [flags]

Runs the signaling server and serves the donate page (apps/donate/dist, built
first if missing) on the same port, then prints the URL to open.

  --port <n>            port to listen on, 0 for any free one (env PORT; default 8787)
  --host <addr>         interface to bind (default 127.0.0.1; 0.0.0.0 serves the network)
  --static <dir>        serve this directory instead of the donate page
  --room <name>         the room in the printed URL (default "default")
  --secret <s>          HMAC secret for private-room tokens, 16+ characters
                        (env TESSERA_SIGNALING_SECRET, preferred: flags show in ps)
  --private-rooms <l>   comma-separated rooms that need a token besides private:*
                        (env TESSERA_PRIVATE_ROOMS)
  --admin <[room=]id>   a peer id certified as a room admin, who may stop anyone's job:
                        in every room, or only in <room>; repeatable (env TESSERA_ADMINS,
                        comma-separated). \`tessera token --admin\` makes admin tokens.
  --ice <json>          STUN/TURN servers for peers, a JSON array of {urls, username?, credential?}
                        (env TESSERA_ICE_SERVERS)
  --turn-url <url>      a coturn server (turn:HOST:PORT) for which each client gets its own
                        short-lived credential; repeatable or comma-separated (env TESSERA_TURN_URLS)
  --turn-secret <s>     coturn's static-auth-secret, 16+ characters (env TESSERA_TURN_SECRET)
  --turn-ttl <seconds>  how long each TURN credential lasts (env TESSERA_TURN_TTL; default 86400)
  --redis <url>         share rooms with every instance on this Redis, redis://host:port
                        (env TESSERA_REDIS_URL; needs --secret; docs/deploy-signaling.md)
  --trust-proxy <list>  reverse proxies whose X-Forwarded-For names the client: addresses,
                        IPv4 CIDR ranges or "loopback" (env TESSERA_TRUST_PROXY; deploy/README.md)
${commonFlags(24)}`,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      static: { type: 'string' },
      room: { type: 'string' },
      secret: { type: 'string' },
      'private-rooms': { type: 'string' },
      admin: { type: 'string', multiple: true },
      ice: { type: 'string' },
      'turn-url': { type: 'string', multiple: true },
      'turn-secret': { type: 'string' },
      'turn-ttl': { type: 'string' },
      redis: { type: 'string' },
      'trust-proxy': { type: 'string' },
      ...common,
    },
    positionals: [],
  },
  run: {
    summary: 'run a job module on the swarm',
    usage: `usage: tessera run <job.ts|job.mjs> [flags] [-- job arguments]

Bundles the job module (its imports inlined, so its pure functions may call
imported helpers on donors), connects to the swarm, and calls its default
export with (swarm, context); prints what it returns. Arguments after -- reach
the job as context.args.

${CONNECTION}
  --workers <n>       worker threads this host donates (default: cores - 1; 0 only submits)
  --cache-dir <dir>   where results persist (default .tessera)
  --retry-failed      forget cached failures of the job's calls and run them again
  --fail-if-no-workers [<time>]
                      fail the job's calls (NoWorkersError) once nobody in the room has
                      had workers for <time>: 30, 30s, 2m (default 10s; without it, wait)
  --quorum <n>        distinct subjects that must agree on a result this host did not
                      compute (default 2 in public rooms, 1 with a token)
  --no-adaptive       check every stranger's result (quorum), never take one alone
                      (default: adaptive replication in public rooms, docs/trust.md)
  --trust <subject>   take this subject's (or peer id's) results alone; repeatable
${COMMON}`,
    options: {
      ...connection,
      workers: { type: 'string' },
      'cache-dir': { type: 'string' },
      'retry-failed': { type: 'boolean' },
      'fail-if-no-workers': { type: 'string' },
      quorum: { type: 'string' },
      'no-adaptive': { type: 'boolean' },
      trust: { type: 'string', multiple: true },
      ...common,
    },
    positionals: ['job'],
    optionalValues: { 'fail-if-no-workers': /^\d+[smhd]?$/ },
  },
  status: {
    summary: "print the swarm's peers, workers, jobs and queue",
    usage: `usage: tessera status [flags]

Joins the room briefly (no workers, nothing stored) and prints its peers,
workers, jobs and queue.

${CONNECTION}
  --wait <ms>         how long to listen for peers before printing (default 2000)
  --json              print JSON instead of tables
${COMMON}`,
    options: { ...connection, wait: { type: 'string' }, json: { type: 'boolean' }, ...common },
    positionals: [],
  },
  jobs: {
    summary: "list the room's jobs, finished ones included",
    usage: `usage: tessera jobs [flags]

Joins the room briefly (no workers, nothing stored) and lists its jobs, newest
first: open ones always, finished ones up to --limit, with their state, tasks,
submitter and age. Finished jobs stay listed after their submitter has left, as
long as a peer in the room keeps the swarm's document; with --cache-dir, also
from the document a host stored there (when nobody else is left).

${CONNECTION}
  --cache-dir <dir>   also read the swarm document stored here (default: none)
  --limit <n>         how many jobs to list (default 20, at most 1000)
  --wait <ms>         how long to listen for peers before printing (default 2000)
  --json              print JSON instead of a table
${COMMON}`,
    options: { ...connection, 'cache-dir': { type: 'string' }, limit: { type: 'string' }, wait: { type: 'string' }, json: { type: 'boolean' }, ...common },
    positionals: [],
  },
  result: {
    summary: 'print a result by its reference (tessera:task:...), or a job\'s',
    usage: `usage: tessera result <ref | job id> [flags]

Prints, as JSON, the result of a submitted call named by its reference (what
\`submit()\` returns, or the HTTP API's results: tessera:task:<job>:<task>:<key>),
from the room's result cache, waiting for it while its job still runs. A call
that failed prints its error and exits 1. Given a job id (tessera jobs lists
them), prints every result of that job as an array in task order, a failed
call as {"error": ...}, and exits 1 if any failed.

${CONNECTION}
  --cache-dir <dir>   also look in this host's stored cache (default: none)
  --wait <ms>         how long to wait for the result (default 30000)
${COMMON}`,
    options: { ...connection, 'cache-dir': { type: 'string' }, wait: { type: 'string' }, ...common },
    positionals: ['ref'],
  },
  stop: {
    summary: 'stop one job, or every open job',
    usage: `usage: tessera stop [--job <id>] [flags]

Stops (cancels) a job: donors abandon its tasks and its submitter's calls
fail with CancelledError. Only a job's submitter or a room admin can stop it.
This command signs with the key of the host whose data is in --cache-dir (the
one \`tessera run\` used): as the job's submitter, or as an admin when the
server certifies that key as one (\`tessera serve --admin <id>\`, the id in
<dir>/<room>/identity.json). An admin token (\`tessera token --admin\`) makes
this command an admin by itself. Without --job, stops every open job that key
submitted, never another's.

  --job <id>          the job to stop (see tessera status)
${CONNECTION}
  --cache-dir <dir>   the submitting or admin host's data (default .tessera)
  --wait <ms>         how long to listen for peers before acting (default 2000)
${COMMON}`,
    options: { job: { type: 'string' }, ...connection, 'cache-dir': { type: 'string' }, wait: { type: 'string' }, ...common },
    positionals: [],
  },
  token: {
    summary: 'sign a token that admits to a private room',
    usage: `usage: tessera token --room <name> [flags]

Prints a room token signed with the server's secret (TESSERA_SIGNALING_SECRET,
the one \`tessera serve\` uses). Hosts pass it with --token or TESSERA_TOKEN.

  --room <name>       the private room it admits to
  --expires <time>    how long it is valid: 3600, 90m, 12h, 7d (default 7d)
  --subject <name>    who holds it: its peers are certified as this subject, and
                      quorum counts each subject once (default: one derived from the
                      token, so everyone sharing this token is one subject)
  --peer <id>         admit only this peer id
  --admin             its holders are room admins: they may stop anyone's job
  --secret <s>        the secret, if not in TESSERA_SIGNALING_SECRET
${COMMON}`,
    options: { room: { type: 'string' }, expires: { type: 'string' }, subject: { type: 'string' }, peer: { type: 'string' }, admin: { type: 'boolean' }, secret: { type: 'string' }, ...common },
    positionals: [],
  },
  pin: PIN_SPEC,
}

export const MAIN_USAGE = `usage: tessera <command> [flags]

${Object.entries(COMMANDS)
  .map(([name, spec]) => `  ${name.padEnd(8)}${spec.summary}`)
  .join('\n')}

tessera <command> --help shows a command's flags; tessera --version its version.`
