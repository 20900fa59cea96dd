import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'

export interface StartOptions {
  readonly port: number
  readonly room: string
  readonly cacheDir: string
  readonly workers: number
  /** Exit when the demo is done instead of serving on. */
  readonly once: boolean
}

export const START_USAGE = `usage: npm start [-- flags]

Starts \`tessera serve\` (signaling and the donate page on one port), prints the
URL to open in browser tabs, and runs the demo job (Monte Carlo π and a
hyperparameter grid search) on this machine's workers and every tab that joins.
Then it keeps serving until Ctrl-C.

  --port <n>         port to serve on, 0 for any free one (env PORT; default 8787)
  --room <name>      the room (default "default")
  --cache-dir <dir>  where results persist (default .tessera): a second run is instant
  --workers <n>      Node worker threads (default: cores - 1, at least 1)
  --once             exit when the demo is done (env TESSERA_EXIT_WHEN_DONE=1)
  -h, --help         this help`

/** The command line and environment of `npm start`; throws a one-line `Error` on a bad one. */
export function parseStartOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): StartOptions | 'help' {
  let values
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        room: { type: 'string' },
        'cache-dir': { type: 'string' },
        workers: { type: 'string' },
        once: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    const message = ((error as Error).message.split('\n', 1)[0] ?? '').trim()
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1]
    throw new Error(`${unknown === undefined ? message : `unknown flag ${unknown}`} (see npm start -- --help)`)
  }
  if (values.help === true) return 'help'
  return {
    port: integer('--port', values.port ?? env['PORT'], 8787, 0, 65_535),
    room: values.room ?? 'default',
    cacheDir: values['cache-dir'] ?? '.tessera',
    workers: integer('--workers', values.workers, Math.max(1, availableParallelism() - 1), 0, 1_024),
    once: values.once === true || env['TESSERA_EXIT_WHEN_DONE'] === '1',
  }
}

function integer(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${flag} must be an integer from ${min} to ${max}, got "${text}"`)
  return value
}
