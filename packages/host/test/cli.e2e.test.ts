// The `tessera` CLI end to end, every part a real process: `serve`, a donor,
// `run` on an example job whose helpers must travel to that donor, `status`,
// and `stop` on a long job; then the errors, each one line and a non-zero exit.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadNodeIdentity } from '@tessera/mesh/node'
import type { SwarmReport } from '../src/cli/swarm-report.ts'
import { closedPort, complete, script, sleep, tessera, REPO, type Child } from './support/processes.ts'

const ROOM = 'cli-e2e'
let dir: string
let serve: Child
let donor: Child
let signaling: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-cli-'))
  await writeFile(join(dir, 'index.html'), '<title>test page</title>')
  // A host's key the server certifies as a room admin: `tessera stop --cache-dir` with its data may stop any job.
  const admin = await loadNodeIdentity(join(dir, 'admin', encodeURIComponent(ROOM)))
  await admin.release()
  serve = tessera(['serve', '--port', '0', '--static', dir, '--admin', `${ROOM}=${admin.identity.peer}`])
  const [, port] = await serve.line(/serving on http:\/\/localhost:(\d+)\/\?room=default/)
  signaling = `ws://127.0.0.1:${port}`
  donor = script(join(REPO, 'packages/host/test/support/donor.ts'), [signaling, ROOM])
  await donor.line(/^ready$/m)
}, 90_000)

afterAll(async () => {
  await donor?.stop()
  await serve?.stop()
  await rm(dir, { recursive: true, force: true })
})

const connection = (): string[] => ['--signaling', signaling, '--room', ROOM]
const lastExecuted = (): number => Number([...donor.stdout.matchAll(/executed (\d+)/g)].at(-1)?.[1] ?? 0)

async function status(): Promise<SwarmReport> {
  const { code, stdout, stderr } = await complete(tessera(['status', '--json', '--wait', '1500', ...connection()]))
  expect(code, stderr).toBe(0)
  return JSON.parse(stdout) as SwarmReport
}

describe('tessera serve, run, status, stop', () => {
  it('runs an example job whose pure function calls a local helper and an npm package, on a donor in another process', async () => {
    const run = tessera(['run', 'examples/pi.ts', '--workers', '0', '--cache-dir', join(dir, 'cache'), ...connection(), '--', '--tasks', '12', '--samples', '200000'])
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
    await donor.line(/^executed (1[2-9]|[2-9]\d|\d{3,})$/m, 20_000)
    expect(lastExecuted()).toBeGreaterThanOrEqual(12)
  }, 90_000)

  it('prints what tasks log, prefixed with their task, counts failures, and reruns only those with --retry-failed (examples/odd-fails.ts)', async () => {
    const args = ['run', 'examples/odd-fails.ts', '--workers', '0', '--cache-dir', join(dir, 'cache'), ...connection()]
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

  it('stop --job ends a long job with a cancelled error, and the donor stops working on it', async () => {
    const run = tessera(['run', 'packages/host/test/fixtures/slow-job.ts', '--workers', '0', '--cache-dir', join(dir, 'cache'), ...connection(), '--', String(Date.now())])
    let job: SwarmReport['jobs'][number] | undefined
    for (let attempt = 0; attempt < 20 && job === undefined; attempt++) {
      job = (await status()).jobs.find((j) => j.name === 'test:busy' && j.state === 'open' && j.done > 0)
    }
    expect(job, 'the slow job never showed progress in tessera status').toBeDefined()
    // Only the submitter's key or an admin's stops a job: another host's data dir holds another key.
    const refused = await complete(tessera(['stop', '--job', job?.id ?? '', '--cache-dir', join(dir, 'elsewhere'), ...connection()]))
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim()).toMatch(new RegExp(`^tessera stop: job ${job?.id} was submitted by k\\S+; .* is neither its submitter's nor a room admin's \\(.*\\)$`))
    const stop = await complete(tessera(['stop', '--job', job?.id ?? '', '--cache-dir', join(dir, 'cache'), ...connection()]))
    expect(stop.code, stop.stderr).toBe(0)
    expect(stop.stdout).toMatch(new RegExp(`^stopped job ${job?.id} \\(test:busy, \\d+/40 done\\)$`, 'm'))

    const ended = await complete(run)
    expect(ended.code).toBe(1)
    const lines = ended.stderr.trim().split('\n')
    expect(lines.at(-1)).toMatch(/^tessera run: packages\/host\/test\/fixtures\/slow-job\.ts was cancelled: CancelledError: job .* (was )?(stopped|cancelled)$/)
    expect(ended.stderr).not.toMatch(/^\s+at /m)

    // At most the task in hand finishes (once the donor has heard); then nothing more runs for that job.
    let settled = lastExecuted()
    for (let i = 0; i < 20; i++) {
      await sleep(500)
      if (lastExecuted() === settled) break
      settled = lastExecuted()
    }
    await sleep(2_000)
    expect(lastExecuted()).toBe(settled)
    expect((await status()).jobs).toContainEqual(expect.objectContaining({ id: job?.id, state: 'cancelled' }))
  }, 90_000)

  it('stop --job with a room admin\'s data stops another host\'s job; without --job it leaves others\' jobs alone', async () => {
    const run = tessera(['run', 'packages/host/test/fixtures/slow-job.ts', '--workers', '0', '--cache-dir', join(dir, 'cache'), ...connection(), '--', `admin-${Date.now()}`])
    let job: SwarmReport['jobs'][number] | undefined
    for (let attempt = 0; attempt < 20 && job === undefined; attempt++) {
      job = (await status()).jobs.find((j) => j.name === 'test:busy' && j.state === 'open' && j.done > 0)
    }
    expect(job, 'the slow job never showed progress in tessera status').toBeDefined()
    const sweep = await complete(tessera(['stop', '--cache-dir', join(dir, 'admin'), ...connection()]))
    expect(sweep.code, sweep.stderr).toBe(0)
    expect(sweep.stdout).toMatch(/^left 1 open job submitted by other peers/m)
    const stop = await complete(tessera(['stop', '--job', job?.id ?? '', '--cache-dir', join(dir, 'admin'), ...connection()]))
    expect(stop.code, stop.stderr).toBe(0)
    expect(stop.stdout).toMatch(new RegExp(`^stopped job ${job?.id} \\(test:busy, \\d+/40 done\\)$`, 'm'))
    const ended = await complete(run)
    expect(ended.code).toBe(1)
    expect(ended.stderr.trim().split('\n').at(-1)).toMatch(/was cancelled: CancelledError: job .* (was )?(stopped|cancelled)$/)
  }, 90_000)
})

describe('a private room', () => {
  it('refuses a host without a token in one line, and admits one with a token from tessera token', async () => {
    const secret = 'a-secret-of-at-least-16-characters'
    const privateServe = tessera(['serve', '--port', '0', '--static', dir, '--private-rooms', 'lab'], { TESSERA_SIGNALING_SECRET: secret })
    try {
      const [, port] = await privateServe.line(/serving on http:\/\/localhost:(\d+)\//)
      const where = ['--signaling', `ws://127.0.0.1:${port}`, '--room', 'lab', '--wait', '500']
      const refused = await complete(tessera(['status', ...where]))
      expect(refused.code).toBe(1)
      expect(refused.stderr.trim()).toBe(`tessera status: the signaling server at ws://127.0.0.1:${port} refused room "lab": room "lab" is private: token missing`)

      const token = await complete(tessera(['token', '--room', 'lab', '--expires', '1h'], { TESSERA_SIGNALING_SECRET: secret }))
      expect(token.code, token.stderr).toBe(0)
      const admitted = await complete(tessera(['status', '--json', ...where], { TESSERA_TOKEN: token.stdout.trim() }))
      expect(admitted.code, admitted.stderr).toBe(0)
      expect((JSON.parse(admitted.stdout) as SwarmReport).room).toBe('lab')

      const otherRoom = await complete(tessera(['token', '--room', 'elsewhere'], { TESSERA_SIGNALING_SECRET: secret }))
      const wrong = await complete(tessera(['status', ...where, '--token', otherRoom.stdout.trim()]))
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toMatch(/refused room "lab"/)
    } finally {
      await privateServe.stop()
    }
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
    const args = ['run', 'packages/host/test/fixtures/throwing-job.ts', '--workers', '0', '--cache-dir', join(dir, 'cache'), ...connection()]
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
      tessera(['run', 'examples/pi.ts', '--workers', '0', '--fail-if-no-workers', '1s', '--cache-dir', join(dir, 'cache'), '--signaling', signaling, '--room', empty]),
    )
    expect(run.code).toBe(1)
    const lines = run.stderr.trim().split('\n')
    const page = `${signaling.replace('ws://', 'http://')}/?room=${empty}`
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
    const port = Number(/:(\d+)$/.exec(signaling)?.[1])
    const second = await complete(tessera(['serve', '--port', String(port), '--static', dir]))
    expect(second.code).toBe(1)
    expect(oneLine(second.stderr)).toBe(`tessera serve: port ${port} is in use: stop whatever holds it, or choose another with --port`)
  }, 60_000)
})
