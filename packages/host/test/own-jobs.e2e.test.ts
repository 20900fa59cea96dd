import { afterEach, describe, expect, it } from 'vitest'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'

let signaling: SignalingServer | undefined
const open: Swarm[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
  await signaling?.close()
  signaling = undefined
})

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** What a host without the donor sandbox does (isolated-vm missing), and what `donate: 'own-jobs'` asks for. */
describe("a host that runs only its own jobs (donate: 'own-jobs')", () => {
  it("computes its own jobs on worker threads, never a stranger's, and announces no workers", async () => {
    signaling = await startSignalingServer({ port: 0 })
    const room = { signaling: signaling.url, room: 'own-jobs', cacheDir: false as const }
    const own = await connect({ ...room, workers: 1, donate: 'own-jobs' })
    const stranger = await connect({ ...room, workers: 0 })
    open.push(own, stranger)
    await waitFor(() => own.peer.mesh.openPeers().length === 1 && stranger.peer.mesh.openPeers().length === 1)
    await waitFor(() => stranger.status().peers === 2)
    expect(stranger.status().workers).toBe(0)

    const theirs = stranger.pure(({ x }: { x: number }) => x + 1, { name: 'strangersJob' }).parallel(Array.from({ length: 20 }, (_, x) => ({ x })))
    theirs.catch(() => {})
    const square = own.pure(({ x }: { x: number }) => x * x, { name: 'ownJob' })
    const xs = Array.from({ length: 30 }, (_, x) => x)
    expect(await square.parallel(xs.map((x) => ({ x })))).toEqual(xs.map((x) => x * x))
    expect(own.status().workers).toBe(0)

    // The stranger's job is open on the own-jobs host, and nothing of it ran there.
    await waitFor(() => own.jobs().some((job) => job.name === 'strangersJob'))
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const strangers = stranger.jobs().find((job) => job.name === 'strangersJob')
    expect(strangers).toMatchObject({ state: 'open', done: 0, running: 0 })
    await stranger.cancel()
    await expect(theirs).rejects.toMatchObject({ name: 'CancelledError' })
  })
})
