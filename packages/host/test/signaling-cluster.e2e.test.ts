/**
 * Two signaling instances on one Redis (a real redis-server): a Node host on
 * each finds the other and runs a job through it; the instance of one is
 * killed, and that host rejoins the room through the other from its URL list.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connect, type Swarm } from '@tessera/host'
import { CountingExecutor } from './support/counting-executor.ts'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { startTestRedis, type TestRedis } from '@tessera/signaling/testing'
import { WebSocket } from 'ws'

const secret = 'cluster-e2e-secret-0123456789'
const room = 'across-instances'

let redis: TestRedis
let survivor: SignalingServer
let doomed: { readonly child: ChildProcess; readonly url: string }
const swarms: Swarm[] = []
const sockets: WebSocket[] = []

beforeAll(async () => {
  redis = await startTestRedis()
  survivor = await startSignalingServer({ port: 0, secret, redis: { url: redis.url, heartbeatMs: 250, ttlMs: 1_000 } })
  doomed = await startInstance()
})

afterAll(async () => {
  for (const socket of sockets) socket.terminate()
  await Promise.all(swarms.map((swarm) => swarm.close()))
  doomed.child.kill('SIGKILL')
  await survivor.close()
  await redis.stop()
})

async function startInstance(): Promise<{ child: ChildProcess; url: string }> {
  const script = fileURLToPath(new URL('./support/signaling-instance.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script, redis.url, secret], { stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve(out.trim())
    })
    child.once('exit', (code) => reject(new Error(`the signaling instance exited with ${code}`)))
  })
  return { child, url }
}

/** The frames an unbound member of the room sees on `url`. */
async function watch(url: string): Promise<Array<Record<string, unknown>>> {
  const frames: Array<Record<string, unknown>> = []
  const socket = new WebSocket(url)
  sockets.push(socket)
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>))
  await new Promise((resolve) => socket.once('open', resolve))
  socket.send(JSON.stringify({ type: 'subscribe', topics: [room] }))
  return frames
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

it('runs a job between hosts on two instances, and a host whose instance dies rejoins through the other', async () => {
  const donor = new CountingExecutor()
  // The donor's list starts with the instance that will die.
  const worker = await connect({ signaling: [doomed.url, survivor.url], room, workers: 1, cacheDir: false, executor: donor })
  swarms.push(worker)
  const submitter = await connect({ signaling: survivor.url, room, workers: 0, cacheDir: false })
  swarms.push(submitter)

  const square = ({ x }: { x: number }) => x * x
  const args = Array.from({ length: 20 }, (_, x) => ({ x }))
  expect(await submitter.pure(square, { name: 'square' }).parallel(args)).toEqual(args.map(square))
  // Only the donor has workers: every task crossed from one instance's peer to the other's.
  expect(donor.runs).toBe(20)

  const seen = await watch(survivor.url)
  const workerId = worker.peer.identity.peer
  doomed.child.kill('SIGKILL')
  await until(() => !worker.peer.mesh.signalingConnected, 5_000, 'the donor noticed its instance died')
  await until(() => worker.peer.mesh.signalingConnected, 10_000, 'the donor rejoined')
  // It rejoined through the survivor: peers there see it bind there.
  await until(() => seen.some((frame) => frame['type'] === 'peer-joined' && frame['peer'] === workerId), 5_000, 'the survivor announced the donor')
  // And the room still works: new work reaches the donor.
  expect(await submitter.pure(square, { name: 'square again' }).parallel(args.slice(0, 5).map(({ x }) => ({ x: x + 100 })))).toEqual(
    args.slice(0, 5).map(({ x }) => (x + 100) ** 2),
  )
  expect(donor.runs).toBe(25)
})
