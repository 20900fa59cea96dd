import { describe, expect, it } from 'vitest'
import { integerFlag, parseCommand } from '../src/cli/args.ts'
import { UsageError } from '../src/cli/cli-errors.ts'
import { parseDuration } from '../src/cli/duration.ts'
import { connectionFrom } from '../src/cli/connection.ts'
import { failIfNoWorkersMs } from '../src/cli/commands/run.ts'

describe('tessera command lines', () => {
  it('parses a command, its flags, its positional and what follows --', () => {
    const parsed = parseCommand(['run', 'job.ts', '--workers', '2', '--room', 'lab', '--', '--tasks', '5'])
    expect(parsed).toMatchObject({ command: 'run', positionals: ['job.ts'], rest: ['--tasks', '5'], help: false, verbose: false })
    expect(parsed.command === 'run' && parsed.flags).toMatchObject({ workers: '2', room: 'lab' })
  })

  it('reads how run checks results: --quorum, --no-adaptive, --trust (repeatable)', () => {
    const parsed = parseCommand(['run', 'job.ts', '--quorum', '3', '--no-adaptive', '--trust', 'alice', '--trust', 'bob'])
    expect(parsed.command === 'run' && parsed.flags).toMatchObject({ quorum: '3', 'no-adaptive': true, trust: ['alice', 'bob'] })
    expect(() => integerFlag('run', 'quorum', '0', 1, { min: 1, max: 64 })).toThrow(UsageError)
  })

  it('reads --fail-if-no-workers alone, with =time, or with a time after it, never taking the job path as its value', () => {
    const flagOf = (argv: string[]): unknown => {
      const parsed = parseCommand(argv)
      return parsed.command === 'run' ? [parsed.flags['fail-if-no-workers'], parsed.positionals] : undefined
    }
    expect(flagOf(['run', '--fail-if-no-workers', 'job.ts'])).toEqual(['', ['job.ts']])
    expect(flagOf(['run', 'job.ts', '--fail-if-no-workers'])).toEqual(['', ['job.ts']])
    expect(flagOf(['run', 'job.ts', '--fail-if-no-workers=30s'])).toEqual(['30s', ['job.ts']])
    expect(flagOf(['run', '--fail-if-no-workers', '2m', 'job.ts'])).toEqual(['2m', ['job.ts']])
    expect(flagOf(['run', 'job.ts'])).toEqual([undefined, ['job.ts']])
    expect(failIfNoWorkersMs(undefined)).toBeUndefined()
    expect(['', '5', '30s', '2m'].map(failIfNoWorkersMs)).toEqual([10_000, 5_000, 30_000, 120_000])
    expect(() => failIfNoWorkersMs('0')).toThrow('--fail-if-no-workers must be a time like 30, 30s or 2m, got "0"')
    expect(() => failIfNoWorkersMs('soon')).toThrow(UsageError)
  })

  it('shows the main help with no command, and a command’s help with --help or -h', () => {
    expect(parseCommand([])).toEqual({ command: undefined, help: true })
    expect(parseCommand(['stop', '-h'])).toMatchObject({ command: 'stop', help: true })
    // --help needs no positional: `tessera run --help` must not complain about the missing job.
    expect(parseCommand(['run', '--help'])).toMatchObject({ command: 'run', help: true })
  })

  it('refuses unknown commands, unknown flags, missing and extra arguments with one line naming the command', () => {
    const refusal = (argv: string[]): UsageError => {
      try {
        parseCommand(argv)
      } catch (error) {
        if (error instanceof UsageError) return error
      }
      throw new Error(`no UsageError for ${argv.join(' ')}`)
    }
    expect(refusal(['launch']).message).toBe('unknown command "launch" (commands: serve, run, status, jobs, result, stop, token, pin)')
    expect(refusal(['status', '--wat'])).toMatchObject({ message: 'unknown flag --wat', command: 'status' })
    expect(refusal(['run'])).toMatchObject({ message: 'missing <job>', command: 'run' })
    expect(refusal(['stop', 'extra'])).toMatchObject({ message: 'unexpected argument "extra"', command: 'stop' })
    expect(refusal(['serve', '--port']).message).toMatch(/--port/)
    for (const argv of [['launch'], ['status', '--wat'], ['serve', '--port']]) expect(refusal(argv).message).not.toContain('\n')
  })

  it('checks integer flags against their range', () => {
    expect(integerFlag('run', 'workers', undefined, 3, { min: 0, max: 8 })).toBe(3)
    expect(integerFlag('run', 'workers', '0', 3, { min: 0, max: 8 })).toBe(0)
    expect(() => integerFlag('run', 'workers', 'two', 3, { min: 0, max: 8 })).toThrow('--workers must be an integer from 0 to 8, got "two"')
    expect(() => integerFlag('serve', 'port', '70000', 8787, { min: 0, max: 65_535 })).toThrow(UsageError)
  })

  it('takes the connection from flags, then the environment, then the embedded defaults', () => {
    expect(connectionFrom('status', {}, {})).toEqual({ signaling: 'ws://127.0.0.1:8787', room: 'default' })
    expect(connectionFrom('status', {}, { TESSERA_SIGNALING: 'wss://swarm.example', TESSERA_ROOM: 'lab', TESSERA_TOKEN: 't' })).toEqual({
      signaling: 'wss://swarm.example',
      room: 'lab',
      token: 't',
    })
    expect(connectionFrom('status', { room: 'flag' }, { TESSERA_ROOM: 'env' }).room).toBe('flag')
    expect(() => connectionFrom('status', { signaling: 'http://x' }, {})).toThrow('--signaling must be a ws:// or wss:// URL (or several, comma-separated), got "http://x"')
    // Several instances that share rooms, each checked.
    expect(connectionFrom('status', { signaling: 'wss://a.example, wss://b.example' }, {}).signaling).toEqual(['wss://a.example', 'wss://b.example'])
    expect(() => connectionFrom('status', { signaling: 'wss://a.example,ftp://b' }, {})).toThrow('got "ftp://b"')
  })

  it('reads token lifetimes in seconds, minutes, hours and days', () => {
    expect(['3600', '90m', '12h', '7d', '45s'].map(parseDuration)).toEqual([3_600, 5_400, 43_200, 604_800, 45])
    expect(['', '0', '7w', '-1d', '1.5h'].map(parseDuration)).toEqual([undefined, undefined, undefined, undefined, undefined])
  })
})
