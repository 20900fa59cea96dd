import { describe, expect, it } from 'vitest'
import { main } from '../src/cli/main.ts'
import type { CliIo } from '../src/cli/io.ts'

/** Runs `tessera <argv>` in this process, collecting what it writes. */
async function tessera(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { isTTY: false, write: (text: string) => (stderr += text) },
    env,
    interrupted: () => new Promise(() => {}),
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

describe('tessera main', () => {
  it('prints the commands with no arguments or --help', async () => {
    for (const argv of [[], ['--help'], ['help']]) {
      const { code, stdout, stderr } = await tessera(argv)
      expect([code, stderr]).toEqual([0, ''])
      expect(stdout).toMatch(/^usage: tessera <command> \[flags\]\n\n {2}serve .*\n {2}run .*\n {2}status .*\n {2}jobs .*\n {2}result .*\n {2}stop .*\n {2}token .*\n {2}pin /)
    }
  })

  it('every command has --help, whatever else is on the line', async () => {
    for (const command of ['serve', 'run', 'status', 'stop', 'token', 'pin']) {
      const { code, stdout, stderr } = await tessera([command, '--help', '--port', '1'].slice(0, command === 'serve' ? 4 : 2))
      expect([command, code, stderr]).toEqual([command, 0, ''])
      expect(stdout).toMatch(new RegExp(`^usage: tessera ${command}`))
      expect(stdout).toContain('--verbose')
    }
  })

  it('exits 2 with one line for a bad command line, and adds the stack only when asked', async () => {
    const unknown = await tessera(['status', '--colour'])
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: 'tessera status: unknown flag --colour (see tessera status --help)\n' })
    const command = await tessera(['launch'])
    expect(command.code).toBe(2)
    expect(command.stderr).toBe('tessera: unknown command "launch" (commands: serve, run, status, jobs, result, stop, token, pin) (see tessera --help)\n')
    const verbose = await tessera(['status', '--colour', '--verbose'])
    expect(verbose.stderr.split('\n')[1]).toMatch(/^UsageError: unknown flag --colour/)
    const debug = await tessera(['status', '--colour'], { TESSERA_DEBUG: '1' })
    expect(debug.stderr.split('\n').length).toBeGreaterThan(2)
  })

  it('pin: needs --dir, a size for --quota and a time for --result-window, each said in one line', async () => {
    expect(await tessera(['pin'])).toEqual({ code: 2, stdout: '', stderr: "tessera pin: --dir is required: where the room's data is kept (see tessera pin --help)\n" })
    expect((await tessera(['pin', '--dir', 'x', '--quota', 'lots'])).stderr).toBe('tessera pin: --quota must be a size such as 500MB, 10GB or 2GiB, got "lots" (see tessera pin --help)\n')
    expect((await tessera(['pin', '--dir', 'x', '--result-window', '0'])).stderr).toBe(
      'tessera pin: --result-window must be a time such as 30, 30s, 5m, 1h or 7d, got "0" (see tessera pin --help)\n',
    )
  })

  it('token: signs with the server secret, and says what is missing in one line', async () => {
    const secret = 'a-secret-of-at-least-16-characters'
    const signed = await tessera(['token', '--room', 'lab', '--expires', '2h', '--peer', 'alice'], { TESSERA_SIGNALING_SECRET: secret })
    expect(signed.code, signed.stderr).toBe(0)
    const [body] = signed.stdout.trim().split('.') as [string]
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { room: string; peer: string; exp: number }
    expect(payload).toMatchObject({ room: 'lab', peer: 'alice' })
    expect(payload.exp - Date.now() / 1000).toBeGreaterThan(7_000)
    expect((await tessera(['token', '--room', 'lab'])).stderr).toBe(
      "tessera token: set TESSERA_SIGNALING_SECRET (or --secret) to the server's secret, at least 16 characters (see tessera token --help)\n",
    )
    expect((await tessera(['token'], { TESSERA_SIGNALING_SECRET: secret })).stderr).toBe('tessera token: --room is required (see tessera token --help)\n')
  })

  it('token --subject: names who holds it, and refuses names that could pass for a derived subject', async () => {
    const env = { TESSERA_SIGNALING_SECRET: 'a-secret-of-at-least-16-characters' }
    const signed = await tessera(['token', '--room', 'lab', '--subject', 'alice@lab'], env)
    expect(signed.code, signed.stderr).toBe(0)
    const [body] = signed.stdout.trim().split('.') as [string]
    expect(JSON.parse(Buffer.from(body, 'base64url').toString())).toMatchObject({ room: 'lab', subject: 'alice@lab' })
    const refused = await tessera(['token', '--room', 'lab', '--subject', 'net:abc'], env)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/^tessera token: --subject must be 1 to 64 letters, digits and \. _ @ \+ - .*got "net:abc"/)
  })
})
