// `tessera stop` and private rooms end to end, every part a real process:
// `serve` with a room admin, a donor, `run` on a long job, `status` and `stop`.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SwarmReport } from '../src/cli/swarm-report.ts'
import { useCliRoom, type CliRoom } from './support/cli-room.ts'
import { complete, sleep, tessera } from './support/processes.ts'

const ROOM = 'cli-stop-e2e'
const room = useCliRoom(ROOM)
const dir = (): string => room().dir
const connection = (): string[] => room().connection()
const lastExecuted = (): number => room().lastExecuted()
const status = (): ReturnType<CliRoom['status']> => room().status()

describe('tessera stop', () => {
  it('stop --job ends a long job with a cancelled error, and the donor stops working on it', async () => {
    const run = tessera(['run', 'packages/host/test/fixtures/slow-job.ts', '--workers', '0', '--cache-dir', join(dir(), 'cache'), ...connection(), '--', String(Date.now())])
    let job: SwarmReport['jobs'][number] | undefined
    for (let attempt = 0; attempt < 20 && job === undefined; attempt++) {
      job = (await status()).jobs.find((j) => j.name === 'test:busy' && j.state === 'open' && j.done > 0)
    }
    expect(job, 'the slow job never showed progress in tessera status').toBeDefined()
    // Only the submitter's key or an admin's stops a job: another host's data dir holds another key.
    const refused = await complete(tessera(['stop', '--job', job?.id ?? '', '--cache-dir', join(dir(), 'elsewhere'), ...connection()]))
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim()).toMatch(new RegExp(`^tessera stop: job ${job?.id} was submitted by k\\S+; .* is neither its submitter's nor a room admin's \\(.*\\)$`))
    const stop = await complete(tessera(['stop', '--job', job?.id ?? '', '--cache-dir', join(dir(), 'cache'), ...connection()]))
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
    const run = tessera(['run', 'packages/host/test/fixtures/slow-job.ts', '--workers', '0', '--cache-dir', join(dir(), 'cache'), ...connection(), '--', `admin-${Date.now()}`])
    let job: SwarmReport['jobs'][number] | undefined
    for (let attempt = 0; attempt < 20 && job === undefined; attempt++) {
      job = (await status()).jobs.find((j) => j.name === 'test:busy' && j.state === 'open' && j.done > 0)
    }
    expect(job, 'the slow job never showed progress in tessera status').toBeDefined()
    const sweep = await complete(tessera(['stop', '--cache-dir', join(dir(), 'admin'), ...connection()]))
    expect(sweep.code, sweep.stderr).toBe(0)
    expect(sweep.stdout).toMatch(/^left 1 open job submitted by other peers/m)
    const stop = await complete(tessera(['stop', '--job', job?.id ?? '', '--cache-dir', join(dir(), 'admin'), ...connection()]))
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
    const privateServe = tessera(['serve', '--port', '0', '--static', dir(), '--private-rooms', 'lab'], { TESSERA_SIGNALING_SECRET: secret })
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
