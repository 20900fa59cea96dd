import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { script, type Child } from './support/processes.ts'

// A cancelled run's `close()` lets the submitter's process end at once: no
// timer, open job, busy worker or mesh drain keeps it alive (it took 30–45 s).

const SUBMITTER = fileURLToPath(new URL('./support/cancel-and-close.ts', import.meta.url))
const DONOR = fileURLToPath(new URL('./support/donor.ts', import.meta.url))
const ROOM = 'cancel-exit'

let server: SignalingServer | undefined
let donor: Child | undefined

beforeAll(async () => {
  server = await startSignalingServer({ port: 0 })
  donor = script(DONOR, [server.url, ROOM])
  await donor.line(/^ready$/m)
})

afterAll(async () => {
  await donor?.stop()
  await server?.close()
})

describe('cancel, then close', () => {
  const cases = [
    // A job document of 5,000 tasks still spreading through the mesh when it is cancelled.
    { name: 'cancel() of 5,000 tasks, no workers of its own', args: ['0', '50', 'cancel', '', '5000'] },
    { name: 'cancel(), its own workers in the middle of 30 s tasks', args: ['2', '30000', 'cancel'] },
    { name: 'an aborted signal, with a cache on disk', args: ['1', '30000', 'abort', 'cache'] },
  ]
  it.each(cases)('$name: no running tasks counted after it, close() is quick, and the process exits within 3 s', async ({ args }) => {
    if (server === undefined) throw new Error('not set up')
    const cacheDir = args[3] === 'cache' ? await mkdtemp(join(tmpdir(), 'tessera-cancel-exit-')) : ''
    const submitter = script(SUBMITTER, [server.url, ROOM, ...args.slice(0, 3), cacheDir, ...args.slice(4)])
    await submitter.line(/^running [1-9]/m, 60_000)
    await submitter.line(/^cancelled$/m)
    // Its own line, which may come in a later chunk of the child's output than "cancelled".
    const [, status, jobs] = await submitter.line(/^after cancel: status running (\d+), jobs running (\d+)$/m)
    expect({ status: Number(status), jobs: Number(jobs) }).toEqual({ status: 0, jobs: 0 })
    const [, closeMs] = await submitter.line(/^closed in (\d+) ms$/m, 60_000)
    expect(Number(closeMs)).toBeLessThan(3_000)
    const closedAt = Date.now()
    const code = await Promise.race([submitter.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 20_000))])
    const exitMs = Date.now() - closedAt
    if (code === 'alive') await submitter.stop()
    if (cacheDir !== '') await rm(cacheDir, { recursive: true, force: true })
    expect(code).toBe(0)
    expect(exitMs).toBeLessThan(3_000)
  })
})
