// One malformed record once ended every donating Node host of a room (an
// unhandled rejection in the donor), and again after a restart on its own
// cache directory. Here a stranger writes such records over the real mesh;
// the donor, the API, `tessera status` and `tessera stop` must ignore them,
// and the donor must survive a restart on the same directory with nobody online.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressOf, definePure, jobDocGuid, taskKeyOf, type Address } from '@tessera/core'
import { connect, type Swarm } from '@tessera/host'
import { main } from '@tessera/host/cli'
import { startSignalingServer } from '@tessera/signaling'

const rejections: unknown[] = []
const onRejection = (reason: unknown): void => {
  rejections.push(reason)
}
beforeAll(() => process.on('unhandledRejection', onRejection))
afterAll(() => process.off('unhandledRejection', onRejection))

const square = ({ x }: { x: number }) => x * x
const waitFor = async (check: () => boolean, ms = 20_000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Runs the CLI in this process, so a throw or a rejection in it would show here. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    interrupted: () => new Promise(() => {}),
  })
  return { code, stdout, stderr }
}

/** Job entries as a stranger might write them, each with tasks in its own document where it has an id. */
function hostileJobs(now: number, submittedBy: string): Array<[string, unknown]> {
  const fn = definePure(square, { name: 'square' }).address
  const base = { name: 'square', taskCount: 2, quorum: 1, maxAttempts: 3, maxLostLeases: 8, leaseMs: 10_000, timeoutMs: 60_000, submittedBy, createdAt: now, state: 'open' }
  const long = 'é'.repeat(60)
  return [
    // The reported case: `fn` is not an address.
    ['evil-fn', { ...base, id: 'evil-fn', fn: 'not-an-address' }],
    ['evil-fn-number', { ...base, id: 'evil-fn-number', fn: 42 }],
    // An id too long to name a file once escaped, and one that tries to leave the directory.
    [long, { ...base, id: long, fn }],
    ['../../escape', { ...base, id: '../../escape', fn }],
    ['evil-count', { ...base, id: 'evil-count', fn, taskCount: -1 }],
    ['evil-timeout', { ...base, id: 'evil-timeout', fn, timeoutMs: Number.NaN, leaseMs: Number.POSITIVE_INFINITY }],
    ['evil-null', null],
    ['evil-text', 'open'],
    ['evil-array', [1, 2, 3]],
    ['evil-mismatch', { ...base, id: 'another-id', fn }],
    // Long enough to fail the record check, short enough to pass the replicator's 64 KiB update cap
    // (a larger entry never arrives: the hostile-updates tests cover that).
    ['evil-args', { ...base, id: 'evil-args', fn, name: 'x'.repeat(40_000) }],
  ]
}

describe('hostile records over the mesh', () => {
  let signalingUrl = ''
  let cacheDir = ''
  const open: Swarm[] = []

  afterAll(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
    if (cacheDir !== '') await rm(cacheDir, { recursive: true, force: true })
  })

  it('a jobs entry whose fn is not an address (and others) harms no donor, no API call, no CLI command, and no restart', async () => {
    const started = Date.now()
    const signaling = await startSignalingServer({ port: 0 })
    signalingUrl = signaling.url
    cacheDir = await mkdtemp(join(tmpdir(), 'tessera-hostile-'))
    const room = 'hostile'
    const donor = await connect({ signaling: signalingUrl, room, workers: 1, cacheDir })
    const stranger = await connect({ signaling: signalingUrl, room, workers: 0, cacheDir: false })
    open.push(stranger)
    await waitFor(() => donor.peer.mesh.openPeers().length === 1)

    const args = await stranger.peer.values.put({ x: 3 })
    const fn = definePure(square, { name: 'square' }).address
    const entries = hostileJobs(Date.now(), stranger.peer.id)
    for (const [id] of entries) {
      // Tasks that a donor would run, had it accepted the job.
      const tasks = (await stranger.peer.openDoc(jobDocGuid(id as never))).getMap('tasks')
      tasks.set('0', { index: 0, key: taskKeyOf(fn, args), args })
      tasks.set('1', { index: 1, key: taskKeyOf('not-an-address' as Address, args), args: 'not-an-address' })
    }
    // Raw writes, as a peer running other code would make them.
    const jobs = stranger.peer.swarm.doc.getMap('jobs')
    for (const [id, entry] of entries) stranger.peer.swarm.doc.transact(() => jobs.set(id, entry))
    await waitFor(() => donor.peer.swarm.jobs.size >= entries.length)
    await new Promise((resolve) => setTimeout(resolve, 1_000))

    // The donor lives, ignores them, and still computes an honest job right.
    const honest = await connect({ signaling: signalingUrl, room, workers: 0, cacheDir: false })
    open.push(honest)
    await waitFor(() => honest.peer.mesh.openPeers().length >= 1)
    const xs = Array.from({ length: 20 }, (_, x) => ({ x }))
    expect(await honest.pure(square, { name: 'square' }).parallel(xs)).toEqual(xs.map(square))
    expect(donor.status().executed).toBeGreaterThanOrEqual(20)
    const listed = honest.jobs({ limit: 100 }).map((job) => job.id)
    expect(listed.some((id) => id.startsWith('evil'))).toBe(false)
    expect(() => donor.jobs()).not.toThrow()
    expect(() => honest.status()).not.toThrow()
    // The job documents of ignored entries were never opened by the donor.
    expect(donor.peer.swarm.job('evil-fn' as never)).toBeUndefined()

    const status = await cli(['status', '--json', '--wait', '500', '--signaling', signalingUrl, '--room', room])
    expect(status.code, status.stderr).toBe(0)
    expect((JSON.parse(status.stdout) as { jobs: Array<{ id: string }> }).jobs.length).toBe(1)
    const stop = await cli(['stop', '--wait', '500', '--signaling', signalingUrl, '--room', room])
    expect(stop.code, stop.stderr).toBe(0)
    expect(stop.stdout).toMatch(/no open jobs/)
    const stopOne = await cli(['stop', '--job', 'evil-fn', '--wait', '500', '--signaling', signalingUrl, '--room', room])
    expect(stopOne.code).not.toBe(0)
    expect(stopOne.stderr).toMatch(/no job evil-fn/)

    // Restart on the same cache directory, nobody else online: the records are on disk now.
    await donor.close()
    await Promise.all(open.splice(0).map((s) => s.close()))
    await signaling.close()
    const restarted = await connect({ signaling: 'ws://127.0.0.1:9', room, workers: 1, cacheDir, offline: true, join: { signalingTimeoutMs: 300 } })
    open.push(restarted)
    expect(restarted.peer.swarm.jobs.size).toBeGreaterThanOrEqual(entries.length)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const cubes = xs.map(({ x }) => ({ x: x + 100 }))
    expect(await restarted.pure(square, { name: 'square' }).parallel(cubes)).toEqual(cubes.map(square))
    expect(() => restarted.jobs()).not.toThrow()
    expect(rejections).toEqual([])
    console.log(`[hostile records] ${entries.length} hostile job entries: donor alive, unhandled rejections ${rejections.length}, restart on the same cache dir alive, ${Date.now() - started} ms`)
  })
})
