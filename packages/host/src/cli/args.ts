import { parseArgs } from 'node:util'
import { UsageError } from './cli-errors.ts'
import { COMMANDS, type CommandName, type CommandSpec } from './command-specs.ts'

export { COMMANDS, MAIN_USAGE, type CommandName } from './command-specs.ts'

export interface ParsedCommand {
  readonly command: CommandName
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>
  readonly positionals: readonly string[]
  /** What came after `--`. */
  readonly rest: readonly string[]
  readonly help: boolean
  readonly verbose: boolean
}

export function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name)
}

/** Parses `tessera <command> ...`; throws `UsageError` with a one-line message. */
export function parseCommand(
  argv: readonly string[],
): ParsedCommand | { readonly command: undefined; readonly help: true } | { readonly command: undefined; readonly version: true } {
  const [name, ...after] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return { command: undefined, help: true }
  if (name === '--version' || name === '-V' || name === 'version') return { command: undefined, version: true }
  if (!isCommand(name)) {
    throw new UsageError(name.startsWith('-') ? `expected a command before ${name}` : `unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`)
  }
  const spec = COMMANDS[name]
  const split = after.indexOf('--')
  const own = split === -1 ? after : after.slice(0, split)
  const rest = split === -1 ? [] : after.slice(split + 1)
  let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }
  try {
    parsed = parseArgs({ args: attachNegativeValues(optionalValues(own, spec.optionalValues ?? {}), spec.options), options: spec.options, strict: true, allowPositionals: true }) as typeof parsed
  } catch (error) {
    const message = firstLine((error as Error).message)
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1]
    throw new UsageError(unknown === undefined ? message : `unknown flag ${unknown}`, name)
  }
  const help = parsed.values['help'] === true
  if (!help && parsed.positionals.length > spec.positionals.length) {
    throw new UsageError(`unexpected argument "${parsed.positionals[spec.positionals.length]}"`, name)
  }
  if (!help && parsed.positionals.length < spec.positionals.length) {
    throw new UsageError(`missing <${spec.positionals[parsed.positionals.length]}>`, name)
  }
  return {
    command: name,
    flags: parsed.values,
    positionals: parsed.positionals,
    rest,
    help,
    verbose: parsed.values['verbose'] === true,
  }
}

/** An integer flag, checked: `--workers abc` is a usage error, not NaN workers. */
export function integerFlag(
  command: CommandName,
  flag: string,
  text: string | undefined,
  fallback: number,
  range: { readonly min: number; readonly max: number },
): number {
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`--${flag} must be an integer from ${range.min} to ${range.max}, got "${text}"`, command)
  }
  return value
}

export function stringFlag(flags: ParsedCommand['flags'], name: string): string | undefined {
  const value = flags[name]
  return typeof value === 'string' ? value : undefined
}

/**
 * `--workers -1` reads to Node's parser as a flag with no value followed by a
 * flag `-1` ("argument is ambiguous"): a value flag followed by a negative
 * number takes it as its value, so the range check can say what is wrong.
 */
function attachNegativeValues(args: readonly string[], options: CommandSpec['options']): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    const next = args[i + 1]
    const flag = /^--([^=]+)$/.exec(arg)?.[1]
    if (flag !== undefined && options[flag]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`)
      i++
    } else out.push(arg)
  }
  return out
}

/**
 * A flag whose value is optional takes the next argument only when it looks
 * like its value (`--fail-if-no-workers 30s`); alone it reads as `--flag=`,
 * so it never swallows the job's path.
 */
function optionalValues(args: readonly string[], optional: Readonly<Record<string, RegExp>>): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    const pattern = arg.startsWith('--') && Object.hasOwn(optional, arg.slice(2)) ? optional[arg.slice(2)] : undefined
    if (pattern === undefined) {
      out.push(arg)
      continue
    }
    const next = args[i + 1]
    const takesNext = next !== undefined && pattern.test(next)
    out.push(`${arg}=${takesNext ? next : ''}`)
    if (takesNext) i++
  }
  return out
}

function firstLine(text: string): string {
  return (text.split('\n', 1)[0] ?? text).trim()
}

/** Every value of a repeatable flag, in order; none when it is absent. */
export function stringsFlag(flags: ParsedCommand['flags'], name: string): string[] {
  const value = flags[name]
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : []
}
