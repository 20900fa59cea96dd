/** What every command's spec is made of: the flags and help text they share. */

export type OptionKind = { readonly type: 'string' | 'boolean'; readonly short?: string; readonly multiple?: boolean }

export interface CommandSpec {
  readonly summary: string
  readonly usage: string
  readonly options: Readonly<Record<string, OptionKind>>
  /** Names of the positional arguments it takes, in order. */
  readonly positionals: readonly string[]
  /**
   * String flags whose value is optional: `--flag=value`, or `--flag value`
   * when the next argument matches the flag's pattern; alone, their value is "".
   */
  readonly optionalValues?: Readonly<Record<string, RegExp>>
}

export const CONNECTION = `  --signaling <url>   the signaling server (env TESSERA_SIGNALING; default ws://127.0.0.1:8787)
  --room <name>       the room to join (env TESSERA_ROOM; default "default")
  --token <token>     a room token, for private rooms (env TESSERA_TOKEN)`
/** The flags every command takes, their descriptions from `column` on, as the command's own flags. */
const COMMON_FLAGS: ReadonlyArray<readonly [flag: string, text: string]> = [
  ['--verbose', 'print stack traces with errors (or TESSERA_DEBUG=1)'],
  ['-h, --help', 'this help'],
]
export const commonFlags = (column: number): string => COMMON_FLAGS.map(([flag, text]) => `  ${flag.padEnd(column - 2)}${text}`).join('\n')
export const COMMON = commonFlags(22)

export const connection = { signaling: { type: 'string' }, room: { type: 'string' }, token: { type: 'string' } } as const
export const common = { verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const
