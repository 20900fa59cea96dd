import { afterEach, describe, expect, it } from 'vitest'
import { MemoryExecutor } from '@tessera/core'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'

let signaling: SignalingServer | undefined
const open: Swarm[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
  await signaling?.close()
  signaling = undefined
})

const square = ({ x }: { x: number }) => x * x
const N = 2_000
const args = Array.from({ length: N }, (_, x) => ({ x }))

async function host(room: string, options: Parameters<typeof connect>[0] = {}): Promise<Swarm> {
  const swarm = await connect({ signaling: (signaling as SignalingServer).url, room, cacheDir: false, adaptive: false, ...options })
  open.push(swarm)
  return swarm
}

describe('connect() joins the swarm before it resolves', () => {
  it('a host that calls parallel right after connect() gets every result another host cached', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const a = await host('fresh-cache', { workers: 2, executor: new MemoryExecutor() })
    expect(a.peer.joined).toEqual({ online: true, peersFound: 0, syncedFrom: undefined })
    await a.pure(square, { name: 'square' }).parallel(args)

    const b = await host('fresh-cache', { workers: 0 })
    expect(b.peer.joined).toMatchObject({ online: true, peersFound: 1, syncedFrom: a.peer.id })
    let cached = 0
    const started = Date.now()
    const results = await b.pure(square, { name: 'square' }).parallel(args, { onProgress: (p) => (cached = p.cached) })
    expect(results).toEqual(args.map(square))
    const ms = Date.now() - started
    console.log(`[connect join] first parallel after connect(): ${cached} of ${N} from the cache, in ${ms} ms (synced from ${String(b.peer.joined?.syncedFrom)})`)
    expect(cached).toBe(N)
    expect(ms).toBeLessThan(10_000)
  })

  it('says plainly that it found nobody, without waiting for a sync', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const started = Date.now()
    const alone = await host('empty', { workers: 0, join: { syncTimeoutMs: 30_000 } })
    expect(alone.peer.joined).toEqual({ online: true, peersFound: 0, syncedFrom: undefined })
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('a signaling server it cannot reach is a SignalingUnreachableError naming the URL, unless offline', async () => {
    const url = 'ws://127.0.0.1:9'
    const started = Date.now()
    await expect(connect({ signaling: url, room: 'down', workers: 0, cacheDir: false, join: { signalingTimeoutMs: 400 } })).rejects.toMatchObject({
      name: 'SignalingUnreachableError',
      message: expect.stringContaining(url),
    })
    expect(Date.now() - started).toBeLessThan(4_000)

    // A refused connection is known at once: no need to wait out the timeout (5 s by default).
    const refusedAt = Date.now()
    await expect(connect({ signaling: [url, 'ws://127.0.0.1:7'], room: 'down', workers: 0, cacheDir: false })).rejects.toMatchObject({
      name: 'SignalingUnreachableError',
      message: expect.stringContaining(`${url} or ws://127.0.0.1:7 (nothing accepts connections there)`),
    })
    expect(Date.now() - refusedAt).toBeLessThan(2_500)

    const offline = await connect({ signaling: url, room: 'down', workers: 0, cacheDir: false, offline: true, join: { signalingTimeoutMs: 400 } })
    open.push(offline)
    expect(offline.peer.joined).toEqual({ online: false, peersFound: 0, syncedFrom: undefined })
  })
})
