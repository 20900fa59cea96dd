// The `tessera` CLI end to end, every part a real process: `serve`, a donor,
// `run` on an example job whose helpers must travel to that donor and `status`;
// then the errors, each one line and a non-zero exit. `stop` and private rooms:
// cli-stop.e2e.test.ts (a file of its own, so that the two run side by side).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCliRoom, type CliRoom } from './support/cli-room.ts'
import { closedPort, complete, tessera } from './support/processes.ts'

const ROOM = 'cli-e2e'
const room = useCliRoom(ROOM)
const dir = (): string => room().dir
const connection = (): string[] => room().connection()
const lastExecuted = (): number => room().lastExecuted()
const status = (): ReturnType<CliRoom['status']> => room().status()

describe('tessera serve, run, status, stop', () => {
  it('runs an example job whose pure function calls a local helper and an npm package, on a donor in another process', async () => {
    const run = tessera(['run', 'examples/pi.ts', '--workers', '0', '--cache-dir', join(dir(), 'cache'), ...connection(), '--', '--tasks', '12', '--samples', '200000'])
    const { code, stdout, stderr } = await complete(run)
    expect(code, stderr).toBe(0)
    const result = JSON.parse(stdout) as { pi: number; tasks: number }
    expect(result.tasks).toBe(12)
    expect(Math.abs(result.pi - Math.PI)).toBeLessThan(0.02)
    // No worker here and nothing cached: the donor computed all twelve, with helpers it only got as source.
    expect(stderr).toContain('12 tasks: 0 ran here (0 workers), 12 on other peers, 0 from the cache')
    expect(stderr).toMatch(/examples\/pi:quarterCircleHits \[#+\] 12\/12 100%/)
    // The donor prints its count every quarter second, later on a loaded machine:
    // wait for the line that shows all twelve rather than look after a guess.
    await room().donor.line(/^executed (1[2-9]|[2-9]\d|\d{3,})$/m, 20_000)
    expect(lastExecuted()).toBeGreaterThanOrEqual(12)
  }, 90_000)

  it('prints what tasks log, prefixed with their task, counts failures, and reruns only those with --retry-failed (examples/odd-fails.ts)', async () => {
    const args = ['run', 'examples/odd-fails.ts', '--workers', '0', '--cache-dir', join(dir(), 'cache'), ...connection()]
    const first = await complete(tessera(args))
    expect(first.code, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toEqual(['odd: 1', 20, 'odd: 3', 40])
    expect(first.stderr).toContain('[examples/odd-fails:check #0] checking 1')
    expect(first.stderr).toContain('[examples/odd-fails:check #0 warn] 1 is odd')
    expect(first.stderr).toContain('[examples/odd-fails:check #3] checking 4')
    expect(first.stderr).toContain('4 tasks: 0 ran here (0 workers), 4 on other peers, 0 from the cache; 2 failed (tessera run --retry-failed runs them again)')

    const replay = await complete(tessera(args))
    expect(JSON.parse(replay.stdout)).toEqual(['odd: 1', 20, 'odd: 3', 40])
    expect(replay.stderr).not.toContain('checking')
    expect(replay.stderr).toMatch(/4 tasks: .*4 from the cache; 2 failed/)

    const retried = await complete(tessera([...args, '--retry-failed']))
    expect(JSON.parse(retried.stdout)).toEqual(['odd: 1', 20, 'odd: 3', 40])
    expect(retried.stderr).toContain('[examples/odd-fails:check #0] checking 1')
    expect(retried.stderr).toContain('[examples/odd-fails:check #2] checking 3')
    expect(retried.stderr).not.toContain('checking 2')
    expect(retried.stderr).toContain('4 tasks: 0 ran here (0 workers), 2 on other peers, 2 from the cache; 2 failed')
  }, 120_000)

  it('status shows the donor, its workers and the finished job', async () => {
    const report = await status()
    expect(report.peers).toContainEqual(expect.objectContaining({ kind: 'host', workers: 1 }))
    expect(report.workers).toBeGreaterThanOrEqual(1)
    expect(report.jobs).toContainEqual(expect.objectContaining({ name: 'examples/pi:quarterCircleHits', state: 'done', total: 12 }))
    const text = await complete(tessera(['status', '--wait', '1500', ...connection()]))
    expect(text.stdout).toMatch(/peers: \d+\n\s+ID\s+KIND\s+WORKERS\s+LOAD/)
    expect(text.stdout).toContain('examples/pi:quarterCircleHits')
  }, 60_000)
})

describe('tessera errors: one line on stderr, a non-zero exit', () => {
  const oneLine = (stderr: string): string => {
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    return lines[0] ?? ''
  }

  it('a bad flag exits 2 and points at --help', async () => {
    const bad = await complete(tessera(['run', 'examples/pi.ts', '--workers', 'many']))
    expect(bad.code).toBe(2)
    expect(oneLine(bad.stderr)).toBe('tessera run: --workers must be an integer from 0 to 1024, got "many" (see tessera run --help)')
  }, 60_000)

  it('an unreachable signaling server is named, with the hint to start it', async () => {
    const port = await closedPort()
    const run = await complete(tessera(['run', 'examples/pi.ts', '--signaling', `ws://127.0.0.1:${port}`]))
    expect(run.code).toBe(1)
    expect(oneLine(run.stderr)).toBe(`tessera run: cannot reach the signaling server at ws://127.0.0.1:${port}: is \`tessera serve\` running? (ECONNREFUSED)`)
  }, 60_000)

  it('a job module that throws gives its error in one line, and the stack only with --verbose', async () => {
    const args = ['run', 'packages/host/test/fixtures/throwing-job.ts', '--workers', '0', '--cache-dir', join(dir(), 'cache'), ...connection()]
    const run = await complete(tessera(args))
    expect(run.code).toBe(1)
    expect(oneLine(run.stderr)).toBe('tessera run: packages/host/test/fixtures/throwing-job.ts failed: RangeError: the job module gave up on purpose')
    const verbose = await complete(tessera([...args, '--verbose']))
    expect(verbose.code).toBe(1)
    expect(verbose.stderr).toMatch(/caused by RangeError: the job module gave up on purpose\n\s+at /)
  }, 60_000)

  it('with nobody to compute, run prints where to open the donate page, and --fail-if-no-workers fails the job in one line', async () => {
    const empty = `${ROOM}-empty`
    const run = await complete(
      tessera(['run', 'examples/pi.ts', '--workers', '0', '--fail-if-no-workers', '1s', '--cache-dir', join(dir(), 'cache'), '--signaling', room().signaling, '--room', empty]),
    )
    expect(run.code).toBe(1)
    const lines = run.stderr.trim().split('\n')
    const page = `${room().signaling.replace('ws://', 'http://')}/?room=${empty}`
    expect(lines[0]).toBe(
      `workers: 0: nobody in room "${empty}" can run these calls. Open ${page} in a browser tab to donate it, ` +
        'or start a host with workers (`tessera run --workers N`); the calls fail if nobody has workers for 1 second.',
    )
    expect(run.stderr).toMatch(/examples\/pi:quarterCircleHits \[\.+\] 0\/200 0% .* workers 0/)
    expect(lines.at(-1)).toMatch(/^tessera run: examples\/pi\.ts failed: NoWorkersError: no peer in the room has workers to run this call \(for 1000 ms\)/)
    expect(run.stdout).toBe('')
  }, 60_000)

  it('a missing job module, and stop of a job the room does not have, are one line each', async () => {
    const missing = await complete(tessera(['run', 'examples/nope.ts']))
    expect(missing.code).toBe(1)
    expect(oneLine(missing.stderr)).toBe('tessera run: no job module at examples/nope.ts')
    const stop = await complete(tessera(['stop', '--job', 'no-such-job', '--wait', '500', ...connection()]))
    expect(stop.code).toBe(1)
    expect(oneLine(stop.stderr)).toBe(`tessera stop: no job no-such-job in room "${ROOM}" (see tessera status)`)
  }, 60_000)

  it('serve on a port in use says so in one line', async () => {
    const port = Number(/:(\d+)$/.exec(room().signaling)?.[1])
    const second = await complete(tessera(['serve', '--port', String(port), '--static', dir()]))
    expect(second.code).toBe(1)
    expect(oneLine(second.stderr)).toBe(`tessera serve: port ${port} is in use: stop whatever holds it, or choose another with --port`)
  }, 60_000)
})
