import { describe, expect, it } from 'vitest'
import { parseCommand } from '../src/cli/args.ts'
import { UsageError } from '../src/cli/cli-errors.ts'
import { turnFromFlags } from '../src/cli/turn-flags.ts'

const flagsOf = (argv: string[]) => {
  const parsed = parseCommand(['serve', ...argv])
  if (parsed.command !== 'serve') throw new Error('not serve')
  return parsed.flags
}

describe('tessera serve: TURN flags', () => {
  it('takes --turn-url repeated or comma-separated, --turn-secret and --turn-ttl', () => {
    const flags = flagsOf(['--turn-url', 'turn:a.example:3478', '--turn-url', 'turn:b.example:3478,turns:b.example:5349', '--turn-secret', 's'.repeat(20), '--turn-ttl', '3600'])
    expect(turnFromFlags(flags, {})).toEqual({ urls: ['turn:a.example:3478', 'turn:b.example:3478', 'turns:b.example:5349'], secret: 's'.repeat(20), ttlSeconds: 3600 })
  })

  it('reads TESSERA_TURN_URLS, TESSERA_TURN_SECRET and TESSERA_TURN_TTL, a day by default', () => {
    expect(turnFromFlags(flagsOf([]), { TESSERA_TURN_URLS: 'turn:a.example:3478', TESSERA_TURN_SECRET: 'from-the-environment' })).toEqual({
      urls: ['turn:a.example:3478'],
      secret: 'from-the-environment',
      ttlSeconds: 86_400,
    })
    expect(turnFromFlags(flagsOf([]), {})).toBeUndefined()
  })

  it('refuses a URL without a secret, a secret without a URL, and a TTL out of range', () => {
    expect(() => turnFromFlags(flagsOf(['--turn-url', 'turn:a.example:3478']), {})).toThrow(UsageError)
    expect(() => turnFromFlags(flagsOf([]), { TESSERA_TURN_SECRET: 'x'.repeat(20) })).toThrow(/--turn-url/)
    expect(() => turnFromFlags(flagsOf(['--turn-url', 'turn:a:1', '--turn-secret', 'x'.repeat(20), '--turn-ttl', '5']), {})).toThrow(/--turn-ttl/)
  })
})
