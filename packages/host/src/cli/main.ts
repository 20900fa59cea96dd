/**
 * `tessera <command>`: serve, run, status, jobs, result, stop, token, pin. Every failure is one line on
 * stderr and a non-zero exit (2 for a bad command line); `--verbose` or
 * `TESSERA_DEBUG=1` adds the stack.
 */
import { TESSERA_VERSION } from '@tessera/mesh/node'
import { COMMANDS, MAIN_USAGE, parseCommand, type CommandName, type ParsedCommand } from './args.ts'
import { UsageError } from './cli-errors.ts'
import { jobsCommand } from './commands/jobs.ts'
import { pinCommand } from './commands/pin.ts'
import { resultCommand } from './commands/result.ts'
import { runCommand } from './commands/run.ts'
import { serveCommand } from './commands/serve.ts'
import { statusCommand } from './commands/status.ts'
import { stopCommand } from './commands/stop.ts'
import { tokenCommand } from './commands/token.ts'
import { processIo, type CliIo } from './io.ts'

const HANDLERS: Readonly<Record<CommandName, (parsed: ParsedCommand, io: CliIo) => Promise<number>>> = {
  serve: serveCommand,
  run: runCommand,
  status: statusCommand,
  jobs: jobsCommand,
  result: resultCommand,
  stop: stopCommand,
  token: tokenCommand,
  pin: pinCommand,
}

/** Runs one command line and resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const debug = io.env['TESSERA_DEBUG'] === '1' || argv.includes('--verbose')
  let command: CommandName | undefined
  try {
    const parsed = parseCommand(argv)
    command = parsed.command
    if (parsed.command === undefined) {
      io.stdout.write('version' in parsed ? `tessera ${TESSERA_VERSION}\n` : `${MAIN_USAGE}\n`)
      return 0
    }
    if (parsed.help) {
      io.stdout.write(`${COMMANDS[parsed.command].usage}\n`)
      return 0
    }
    return await HANDLERS[parsed.command](parsed, io)
  } catch (error) {
    io.stderr.write(`${describe(error, command, debug)}\n`)
    return error instanceof UsageError ? 2 : 1
  }
}

function describe(error: unknown, command: CommandName | undefined, debug: boolean): string {
  const helpFor = error instanceof UsageError ? (error.command ?? command) : command
  const prefix = helpFor === undefined ? 'tessera' : `tessera ${helpFor}`
  if (!(error instanceof Error)) return `${prefix}: ${String(error)}`
  const hint = error instanceof UsageError ? ` (see tessera ${helpFor === undefined ? '' : `${helpFor} `}--help)` : ''
  const line = `${prefix}: ${firstLine(error.message)}${hint}`
  if (!debug) return line
  const stacks = [error.stack ?? '']
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) stacks.push(`caused by ${cause.stack ?? cause.message}`)
  return `${line}\n${stacks.join('\n')}`
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text
}
