// History, every part a real process: a host submits a job and leaves; then
// `tessera jobs` still lists it, done, with its submitter and creation time,
// and `tessera result REF` prints each result by its reference, `tessera result JOB` a job's.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressOf } from '@tessera/core'
import type { JobSummary } from '@tessera/runtime'
import { complete, script, tessera, REPO, type Child } from './support/processes.ts'

const ROOM = 'history-e2e'
let dir: string
let serve: Child
let donor: Child
let signaling: string
let refs: string[] = []
const startedAt = Date.now()

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-history-'))
  await writeFile(join(dir, 'index.html'), '<title>test page</title>')
  serve = tessera(['serve', '--port', '0', '--static', dir])
  const [, port] = await serve.line(/serving on http:\/\/localhost:(\d+)\//)
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

describe('tessera jobs and tessera result, after the submitter has left', () => {
  it('a host submits three calls, gets their references, and exits', async () => {
    const run = tessera(['run', 'packages/host/test/fixtures/refs-job.ts', '--workers', '0', '--cache-dir', join(dir, 'cache'), ...connection(), '--', String(startedAt)])
    const { code, stdout, stderr } = await complete(run)
    expect(code, stderr).toBe(0)
    refs = JSON.parse(stdout) as string[]
    expect(refs).toHaveLength(3)
    for (const ref of refs) expect(ref).toMatch(/^tessera:task:[^:]+:[^:]+:[^:]+$/)
  }, 90_000)

  it('tessera jobs lists the finished job, with its submitter and creation time', async () => {
    const json = await complete(tessera(['jobs', '--json', '--wait', '1500', ...connection()]))
    expect(json.code, json.stderr).toBe(0)
    const jobs = JSON.parse(json.stdout) as JobSummary[]
    const ours = jobs.filter((j) => j.name === 'test:square')
    // submit() publishes one job per call.
    expect(ours).toHaveLength(3)
    for (const job of ours) {
      expect(job).toMatchObject({ state: 'done', total: 1, done: 1, failed: 0 })
      expect(job.submittedBy).toMatch(/^k/)
      expect(job.createdAt).toBeGreaterThanOrEqual(startedAt - 5_000)
    }
    expect(new Set(ours.map((j) => j.id))).toEqual(new Set(refs.map((ref) => ref.split(':')[2])))
    const text = await complete(tessera(['jobs', '--wait', '1500', ...connection()]))
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^ID\s+NAME\s+STATE\s+DONE\/TOTAL\s+FAILED\s+SUBMITTER\s+CREATED\s+AGE/)
    expect(text.stdout).toMatch(/test:square\s+done\s+1\/1\s+0\s+k\S+\s+\d{4}-\d\d-\d\dT/)
  }, 60_000)

  it('tessera jobs --limit bounds the list; --signaling takes several instances and uses one that answers', async () => {
    const { code, stdout, stderr } = await complete(tessera(['jobs', '--json', '--limit', '2', '--wait', '1500', '--room', ROOM, '--signaling', `ws://127.0.0.1:9,${signaling}`]))
    expect(code, stderr).toBe(0)
    expect((JSON.parse(stdout) as JobSummary[]).length).toBe(2)
  }, 60_000)

  it('tessera result REF prints each result, from a process that never saw the job', async () => {
    const values = await Promise.all(refs.map((ref) => complete(tessera(['result', ref, '--wait', '20000', ...connection()]))))
    values.forEach((value, i) => {
      expect(value.code, value.stderr).toBe(0)
      expect(JSON.parse(value.stdout)).toEqual({ x: i + 2, square: (i + 2) ** 2 })
    })
  }, 90_000)

  it('tessera result JOB prints every result of a job in task order, from a process that never saw it', async () => {
    const job = refs[1]?.split(':')[2] ?? ''
    // Its task keys live in the job's document: the submitting host's cache directory kept it.
    const { code, stdout, stderr } = await complete(tessera(['result', job, '--wait', '20000', '--cache-dir', join(dir, 'cache'), ...connection()]))
    expect(code, stderr).toBe(0)
    expect(JSON.parse(stdout)).toEqual([{ x: 3, square: 9 }])
    const none = await complete(tessera(['result', 'no-such-job', '--wait', '1000', ...connection()]))
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('no job "no-such-job" in this room (tessera jobs lists them)')
  }, 60_000)

  it('with nobody left in the room, --cache-dir still lists the jobs and reads a result from the stored documents', async () => {
    await donor.stop()
    const alone = await complete(tessera(['jobs', '--json', '--wait', '500', ...connection()]))
    expect(alone.code, alone.stderr).toBe(0)
    expect(JSON.parse(alone.stdout)).toEqual([])
    const stored = await complete(tessera(['jobs', '--json', '--wait', '500', '--cache-dir', join(dir, 'cache'), ...connection()]))
    expect(stored.code, stored.stderr).toBe(0)
    const jobs = (JSON.parse(stored.stdout) as JobSummary[]).filter((j) => j.name === 'test:square')
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done', 'done'])
    const result = await complete(tessera(['result', refs[0] ?? '', '--wait', '5000', '--cache-dir', join(dir, 'cache'), ...connection()]))
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ x: 2, square: 4 })
  }, 60_000)

  it('refuses a malformed reference as a usage error, and says when no result arrives in time', async () => {
    const badRef = await complete(tessera(['result', 'tessera:task:x', ...connection()]))
    expect(badRef.code).toBe(2)
    expect(badRef.stderr).toContain('tessera result: not a Tessera task reference: "tessera:task:x"')
    const bad = await complete(tessera(['result', 'not a ref!', ...connection()]))
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('tessera result: not a job id or a task reference: "not a ref!"')
    const unknown = `tessera:task:-:-:${String(addressOf(['a call nobody made', startedAt]))}`
    const missing = await complete(tessera(['result', unknown, '--wait', '1000', ...connection()]))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain(`tessera result: no result for ${unknown} in room "${ROOM}" within 1000 ms`)
  }, 60_000)
})
