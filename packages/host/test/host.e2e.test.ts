import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, type Swarm } from '@tessera/host'
import { CountingExecutor } from './support/counting-executor.ts'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'

let signaling: SignalingServer | undefined
const open: Swarm[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
  await signaling?.close()
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

const square = ({ x }: { x: number }) => x * x
const args = Array.from({ length: 1_000 }, (_, x) => ({ x }))

describe('memoization across hosts and restarts', () => {
  it('a host restarted with the same cacheDir gets everything from the cache, with no peer online', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const cacheDir = await mkdtemp(join(tmpdir(), 'tessera-host-'))
    dirs.push(cacheDir)
    const first = new CountingExecutor()
    const a = await connect({ signaling: signaling.url, room: 'restart', workers: 2, cacheDir, executor: first })
    expect(await a.pure(square, { name: 'square' }).parallel(args)).toEqual(args.map(square))
    expect(first.runs).toBe(1_000)
    await a.close()
    await signaling.close()
    signaling = undefined

    // No signaling server, no peers: only the disk.
    const second = new CountingExecutor()
    const b = await connect({ signaling: 'ws://127.0.0.1:9', room: 'restart', workers: 2, cacheDir, executor: second, offline: true, join: { signalingTimeoutMs: 300 } })
    open.push(b)
    let last = { cached: 0 }
    expect(await b.pure(square, { name: 'square' }).parallel(args, { onProgress: (p) => (last = p) })).toEqual(args.map(square))
    expect(last.cached).toBe(1_000)
    expect(second.runs).toBe(0)
  })

  it('a second host, in another process, gets cache hits for work the first host did', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const executor = new CountingExecutor()
    const first = await connect({ signaling: signaling.url, room: 'two-hosts', workers: 2, cacheDir: false, executor })
    open.push(first)
    await first.pure(square, { name: 'square' }).parallel(args.slice(0, 300))
    expect(executor.runs).toBe(300)
    const script = fileURLToPath(new URL('./support/second-host.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', script, signaling.url, 'two-hosts', '300'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(0)
    const { results, cached } = JSON.parse(out) as { results: number[]; cached: number }
    expect(results).toEqual(args.slice(0, 300).map(square))
    expect(cached).toBe(300)
    expect(executor.runs).toBe(300)
  })
})
