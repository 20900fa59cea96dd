import { afterEach, describe, expect, it } from 'vitest'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { BigMatrix, cholesky, matmul } from '../src/index.ts'
import { maxAbsDiff, referenceMatmul, referenceTranspose } from './support/reference.ts'

let signaling: SignalingServer | undefined
const open: Swarm[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
  await signaling?.close()
  signaling = undefined
})

async function join(url: string, workers: number): Promise<Swarm> {
  const swarm = await connect({ signaling: url, room: 'bigmatrix-e2e', workers, cacheDir: false })
  open.push(swarm)
  return swarm
}

async function waitFor(check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the mesh')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('BigMatrix on a real swarm: two donors with worker threads, a host that only submits', () => {
  it('multiplies and factors lazily made matrices whose blocks stay on the donors; reruns execute nothing', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const donors = [await join(signaling.url, 1), await join(signaling.url, 1)]
    const host = await join(signaling.url, 0)
    await waitFor(() => host.peer.mesh.openPeers().length === 2 && donors.every((d) => d.peer.mesh.openPeers().length === 2))
    const executed = (): number => donors.reduce((sum, d) => sum + d.status().executed, 0)

    const A = await BigMatrix.random(host, { shape: [100, 70], blockShape: [32, 32], params: { seed: 1 } })
    const B = await BigMatrix.random(host, { shape: [70, 130], blockShape: [32, 32], params: { seed: 2 } })
    const C = await matmul(A, B)
    // C's blocks were computed and kept by the donors: the host holds none of them until it reads them.
    for (const address of Object.values(C.header.blocks)) expect(await host.peer.blobs.has(address)).toBe(false)
    expect(executed()).toBeGreaterThanOrEqual(4 * 3 + 3 * 5 + 4 * 5)
    const expected = referenceMatmul(100, 130, 70, await A.toArray(), await B.toArray())
    expect(maxAbsDiff(await C.toArray(), expected)).toBeLessThanOrEqual(1e-9 * 70)

    const S = await BigMatrix.random(host, { shape: [70, 70], blockShape: [16, 16], params: { seed: 3, symmetric: true, diagonal: 70 } })
    const L = await cholesky(S)
    const l = await L.toArray()
    expect(maxAbsDiff(referenceMatmul(70, 70, 70, l, referenceTranspose(70, 70, l)), await S.toArray())).toBeLessThanOrEqual(1e-9 * 70)

    // Another host opens the result by its reference alone.
    const reader = await join(signaling.url, 0)
    const ref = await C.saved()
    await waitFor(() => reader.peer.values.has(ref))
    const reopened = await BigMatrix.open(reader, ref)
    expect(maxAbsDiff(await reopened.toArray(), expected)).toBeLessThanOrEqual(1e-9 * 70)

    const before = executed()
    expect((await matmul(A, B)).ref).toBe(C.ref)
    expect((await cholesky(S)).ref).toBe(L.ref)
    expect(executed()).toBe(before)
  })
})
