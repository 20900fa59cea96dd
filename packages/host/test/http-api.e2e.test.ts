// The HTTP job API of `tessera serve`, against a real `tessera serve` process and a donor in
// its own process: refused without a valid token, hostile and bad input
// refused with named errors and status codes (the server staying up), a job
// submitted as source, followed as server-sent events, its results read; and
// the Python example (standard library only) run with python3.
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signRoomToken } from '@tessera/signaling'
import { startTesseraServer } from '../src/serve/tessera-server.ts'
import { complete, program, script, tessera, REPO, type Child } from './support/processes.ts'

const ROOM = 'http-api-e2e'
const SECRET = 'http-api-e2e-secret-0123456789'
let server: Child
let dir: string
let donor: Child
let base: string
const token = signRoomToken({ secret: SECRET, room: ROOM, expiresInSeconds: 600 })
const auth = { authorization: `Bearer ${token}` }
const json = { 'content-type': 'application/json' }

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-http-api-'))
  await writeFile(join(dir, 'index.html'), '<title>test page</title>')
  // The secret through the environment, as the docs advise (flags show in ps).
  server = tessera(['serve', '--port', '0', '--static', dir], { TESSERA_SIGNALING_SECRET: SECRET })
  const [, port] = await server.line(/serving on http:\/\/localhost:(\d+)\//)
  await server.line(/HTTP job API: http:\/\/localhost:\d+\/api\/jobs with a room token/)
  base = `http://127.0.0.1:${port}`
  donor = script(join(REPO, 'packages/host/test/support/donor.ts'), [`ws://127.0.0.1:${port}`, ROOM])
  await donor.line(/^ready$/m)
}, 90_000)

afterAll(async () => {
  await donor?.stop()
  await server?.stop()
  await rm(dir, { recursive: true, force: true })
})

async function post(body: unknown, headers: Record<string, string> = { ...auth, ...json }): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/api/jobs`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return { status: response.status, body: await response.json() }
}

const square = { room: ROOM, name: 'api:square', source: '({ x }) => ({ x, square: x * x })', args: [{ x: 2 }, { x: 3 }, { x: 4 }] }

/** Reads a server-sent event stream to its `end` event. */
async function events(path: string, headers: Record<string, string> = auth): Promise<Array<{ event: string; data: any }>> {
  const response = await fetch(`${base}${path}`, { headers })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toContain('text/event-stream')
  const text = await response.text()
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [event, data] = block.split('\n')
      return { event: (event ?? '').slice(7), data: JSON.parse((data ?? '').slice(6)) }
    })
}

describe('the HTTP job API', () => {
  it('refuses requests without a valid token for the room', async () => {
    const none = await post(square, json)
    expect(none).toMatchObject({ status: 401, body: { error: { name: 'ApiUnauthorizedError' } } })
    expect(none.body.error.message).toContain('token missing')
    const forged = await post(square, { ...json, authorization: `Bearer ${signRoomToken({ secret: 'another-secret-0123456789', room: ROOM, expiresInSeconds: 60 })}` })
    expect(forged).toMatchObject({ status: 401, body: { error: { message: expect.stringContaining('bad signature') } } })
    const elsewhere = await post(square, { ...json, authorization: `Bearer ${signRoomToken({ secret: SECRET, room: 'other', expiresInSeconds: 60 })}` })
    expect(elsewhere).toMatchObject({ status: 403, body: { error: { name: 'ApiForbiddenError' } } })
    const result = await fetch(`${base}/api/results/x?room=${ROOM}`)
    expect(result.status).toBe(401)
  })

  it('refuses bad and hostile input with named errors, and stays up', async () => {
    const cases: Array<[unknown, number, string, string]> = [
      ['{not json', 400, 'ApiInputError', 'not JSON'],
      [[1, 2], 400, 'ApiInputError', 'JSON object'],
      [{ ...square, args: [] }, 400, 'ApiInputError', 'non-empty list'],
      [{ ...square, args: [1] }, 400, 'ApiInputError', 'args[0]'],
      [{ ...square, args: Array.from({ length: 10_001 }, () => ({})) }, 400, 'ApiInputError', 'over the 10000 cap'],
      [{ ...square, name: '../etc' }, 400, 'ApiInputError', 'name must be'],
      [{ ...square, room: '' }, 400, 'ApiInputError', 'room must be'],
      [{ ...square, extra: 1 }, 400, 'ApiInputError', 'unknown field "extra"'],
      [{ ...square, options: { timeoutMs: -1 } }, 400, 'ApiInputError', 'timeoutMs is out of range'],
      [{ ...square, options: { compare: 'x' } }, 400, 'ApiInputError', 'unknown option "compare"'],
      [{ ...square, source: 'x => x + y' }, 400, 'ApiInputError', 'NotSelfContainedError'],
      // Code that would run as the source is evaluated is never evaluated: it does not parse as one function.
      [{ ...square, source: '(process.exit(1), ({ x }) => x)' }, 400, 'ApiInputError', 'does not parse as a function'],
      [{ ...square, source: 'function* g({ x }) { yield x }' }, 400, 'ApiInputError', 'generator'],
      [{ ...square, args: [{ x: 1n.toString() }], source: '(a, b) => a' }, 400, 'ApiInputError', 'keyword-only'],
    ]
    for (const [body, status, name, message] of cases) {
      const answer = await post(body)
      expect(answer.status, JSON.stringify(answer.body)).toBe(status)
      expect(answer.body.error.name).toBe(name)
      expect(answer.body.error.message).toContain(message)
    }
    // Nesting deep enough to overflow a recursive encoder: still a 400, and the server stays up.
    const deep = `{"room":"${ROOM}","name":"deep","source":"({ x }) => x","args":[{"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}]}`
    const nested = await post(deep)
    expect(nested.status, JSON.stringify(nested.body)).toBe(400)
    expect(nested.body.error.name).toBe('ApiInputError')
    const huge = await post({ ...square, source: `({ x }) => ${'1+'.repeat(600_000)}1` })
    expect(huge).toMatchObject({ status: 413, body: { error: { name: 'ApiTooLargeError' } } })
    const text = await fetch(`${base}/api/jobs`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: '{}' })
    expect(text.status).toBe(415)
    expect((await fetch(`${base}/api/jobs`, { headers: auth })).status).toBe(405)
    expect((await fetch(`${base}/api/nothing`, { headers: auth })).status).toBe(404)
    expect((await fetch(`${base}/api/jobs/${'0'.repeat(32)}`, { headers: auth })).status).toBe(404)
    expect((await fetch(`${base}/api/jobs/%E0%A4%A`, { headers: auth })).status).toBe(400)
    const badRef = await fetch(`${base}/api/results/not-a-ref?room=${ROOM}`, { headers: auth })
    expect(badRef.status).toBe(400)
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok')
    // The page is still served beside the API.
    expect(await (await fetch(`${base}/`)).text()).toContain('test page')
  })

  it('submits a function as source, streams its progress and results, and reads them back', async () => {
    const submitted = await post(square)
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202)
    const { id, refs, events: eventsPath } = submitted.body as { id: string; refs: string[]; events: string }
    expect(refs).toHaveLength(3)
    const stream = await events(eventsPath)
    const results = stream.filter((e) => e.event === 'result').map((e) => e.data)
    expect(results.map((r) => r.value).sort((a, b) => a.x - b.x)).toEqual([
      { x: 2, square: 4 },
      { x: 3, square: 9 },
      { x: 4, square: 16 },
    ])
    for (const r of results) expect(r.ref).toBe(refs[r.index])
    expect(stream[0]?.event).toBe('progress')
    expect(stream.at(-1)).toMatchObject({ event: 'end', data: { id, state: 'done', progress: { done: 3, total: 3, failed: 0 } } })

    const job = await (await fetch(`${base}/api/jobs/${id}`, { headers: auth })).json()
    expect(job).toMatchObject({ id, room: ROOM, name: 'api:square', state: 'done', refs })
    expect(job.results.map((r: { value: unknown }) => r.value)).toEqual([
      { x: 2, square: 4 },
      { x: 3, square: 9 },
      { x: 4, square: 16 },
    ])
    const one = await fetch(`${base}/api/results/${encodeURIComponent(refs[1] ?? '')}?room=${ROOM}`, { headers: auth })
    expect(one.status).toBe(200)
    expect(await one.json()).toEqual({ ref: refs[1], ok: true, value: { x: 3, square: 9 } })
    // Another room's token does not read this job.
    const other = await fetch(`${base}/api/jobs/${id}`, { headers: { authorization: `Bearer ${signRoomToken({ secret: SECRET, room: 'other', expiresInSeconds: 60 })}` } })
    expect(other.status).toBe(403)
  }, 60_000)

  it('with nobody in the room to compute, progress says workers 0, and noWorkersMs fails the job with NoWorkersError', async () => {
    const empty = `${ROOM}-empty`
    const emptyAuth = { authorization: `Bearer ${signRoomToken({ secret: SECRET, room: empty, expiresInSeconds: 600 })}`, ...json }
    const submitted = await post({ ...square, room: empty, options: { noWorkersMs: 1_000 } }, emptyAuth)
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202)
    const stream = await events(submitted.body.events, emptyAuth)
    expect(stream[0]).toMatchObject({ event: 'progress', data: { done: 0, total: 3, workers: 0 } })
    expect(stream.at(-1)).toMatchObject({ event: 'end', data: { state: 'failed', error: { name: 'NoWorkersError' }, progress: { workers: 0 } } })
    expect(stream.filter((e) => e.event === 'result')).toEqual([])
  }, 60_000)

  it('reports a call that throws as a failed result, not a failed job; a resubmission replays it from the cache, retryFailed runs it again', async () => {
    const submitted = await post({ room: ROOM, name: 'api:throws', source: '({ x }) => { if (x === 2) throw new RangeError("two"); return x }', args: [{ x: 1 }, { x: 2 }] })
    expect(submitted.status).toBe(202)
    const stream = await events(submitted.body.events)
    const failed = stream.find((e) => e.event === 'result' && e.data.ok === false)
    expect(failed?.data).toMatchObject({ index: 1, error: { message: expect.stringContaining('two') } })
    expect(stream.at(-1)).toMatchObject({ event: 'end', data: { state: 'done', progress: { done: 2, failed: 1 } } })

    // Submitted again, both come from the cache, the failure too; with retryFailed the failed call runs again.
    const throws = { room: ROOM, name: 'api:throws', source: '({ x }) => { if (x === 2) throw new RangeError("two"); return x }', args: [{ x: 1 }, { x: 2 }] }
    const replay = await events((await post(throws)).body.events)
    expect(replay.at(-1)).toMatchObject({ event: 'end', data: { state: 'done', progress: { done: 2, failed: 1, cached: 2 } } })
    const retried = await events((await post({ ...throws, options: { retryFailed: true } })).body.events)
    expect(retried.at(-1)).toMatchObject({ event: 'end', data: { state: 'done', progress: { done: 2, failed: 1, cached: 1 } } })
  }, 60_000)
})

describe('the HTTP job API, off and on', () => {
  it('answers 503 with a named error when the server has no token secret, and leaves other paths to the page', async () => {
    const plain = await startTesseraServer({ port: 0, staticDir: false })
    try {
      const response = await fetch(`http://127.0.0.1:${plain.port}/api/jobs`, { method: 'POST', headers: { ...auth, ...json }, body: JSON.stringify(square) })
      expect(response.status).toBe(503)
      expect((await response.json()).error).toMatchObject({ name: 'ApiDisabledError', message: expect.stringContaining('--secret') })
      expect((await fetch(`http://127.0.0.1:${plain.port}/elsewhere`)).status).toBe(404)
      expect((await fetch(`http://127.0.0.1:${plain.port}/healthz`)).status).toBe(200)
    } finally {
      await plain.close()
    }
  })

  it('DELETE /api/jobs/:id cancels a running job, and its stream ends as cancelled', async () => {
    const busy = '({ i }) => { const end = Date.now() + 300; while (Date.now() < end) {} return i }'
    const submitted = await post({ room: ROOM, name: 'api:busy', source: busy, args: Array.from({ length: 40 }, (_, i) => ({ i, run: Date.now() })) })
    expect(submitted.status).toBe(202)
    const streamed = events(submitted.body.events)
    await new Promise((resolve) => setTimeout(resolve, 500))
    const cancelled = await fetch(`${base}/api/jobs/${submitted.body.id}`, { method: 'DELETE', headers: auth })
    expect(await cancelled.json()).toEqual({ cancelled: true })
    const stream = await streamed
    expect(stream.at(-1)).toMatchObject({ event: 'end', data: { state: 'cancelled' } })
    expect(stream.filter((e) => e.event === 'result').length).toBeLessThan(40)
  }, 60_000)
})

const python = (() => {
  try {
    return execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    return undefined
  }
})()

describe('the Python example', () => {
  const example = (room: string) => program('python3', ['examples/python/grid_search.py', base, room], { TESSERA_TOKEN: signRoomToken({ secret: SECRET, room, expiresInSeconds: 600 }) })

  it.skipIf(python === undefined)('examples/python/grid_search.py submits a grid search and prints its progress (needs python3)', async () => {
    const { code, stdout, stderr } = await complete(example(ROOM))
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/^job [0-9a-f]{32}: 16 calls$/m)
    expect(stdout).toMatch(/^progress \d+\/16 running \d+ failed 0 workers [1-9]\d*$/m)
    expect(stdout).not.toContain('workers 0')
    expect(stdout).toContain('state done')
    expect(stdout).toMatch(/^best lr=0\.1 depth=6 loss=0\.0000 \(16 results\)$/m)
  }, 90_000)

  it.skipIf(python === undefined)('in a room with nobody to compute, it prints where to open the donate page', async () => {
    const empty = `${ROOM}-nobody`
    const child = example(empty)
    try {
      await child.line(/to donate it$/m, 30_000)
    } finally {
      await child.stop()
    }
    expect(child.stdout).toMatch(/^progress 0\/16 running 0 failed 0 workers 0$/m)
    expect(child.stdout).toContain(`workers 0: open ${base}/?room=${empty} in a browser tab to donate it\n`)
  }, 60_000)
})
