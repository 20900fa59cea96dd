import { describe, expect, it } from 'vitest'
import { TESSERA_VERSION } from '@tessera/mesh/node'
import { COMMANDS, parseCommand } from '../src/cli/args.ts'
import type { CliIo } from '../src/cli/io.ts'
import { main } from '../src/cli/main.ts'

async function tessera(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { isTTY: false, write: (text: string) => (stderr += text) },
    env: {},
    interrupted: () => new Promise(() => {}),
  }
  return { code: await main(argv, io), stdout, stderr }
}

describe('CLI details', () => {
  it('tessera --version prints the version', async () => {
    for (const argv of [['--version'], ['-V'], ['version']]) {
      expect(await tessera(argv)).toEqual({ code: 0, stdout: `tessera ${TESSERA_VERSION}\n`, stderr: '' })
    }
    expect((await tessera([])).stdout).toContain('tessera --version')
  })

  it('a negative number after a flag is its value, refused by the range check with a named usage error', async () => {
    expect(parseCommand(['run', 'job.ts', '--workers', '-1'])).toMatchObject({ flags: { workers: '-1' } })
    const { code, stdout, stderr } = await tessera(['run', 'job.ts', '--workers', '-1'])
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tessera run: --workers must be an integer from 0 to 1024, got "-1" (see tessera run --help)\n',
    })
    expect(stderr).not.toContain('ambiguous')
  })

  it('every command’s flags describe themselves from one column', () => {
    for (const [name, spec] of Object.entries(COMMANDS)) {
      const columns = new Set<number>()
      for (const line of spec.usage.split('\n')) {
        const flag = /^( {2}-\S.*?\S {2,})\S/.exec(line)
        if (flag !== null) columns.add((flag[1] as string).length)
      }
      expect([name, [...columns]]).toEqual([name, [[...columns][0]]])
    }
  })
})
