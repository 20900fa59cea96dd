import type { BlobStore } from '@tessera/core'
import { startNodePeer, type MeshPeer, type NodePeerOptions } from '@tessera/mesh/node'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { afterEach } from 'vitest'

/** Fast failure detection, so churn tests take seconds rather than minutes. */
export const TEST_LIMITS = { heartbeatMs: 300, deadAfterMs: 2_000, connectTimeoutMs: 10_000 }

export async function startSignaling(port = 0): Promise<SignalingServer> {
  return startSignalingServer({ port })
}

export async function startPeers(
  signaling: SignalingServer,
  count: number,
  options: TestPeerOptions = {},
): Promise<MeshPeer[]> {
  const { blobStorage, ...rest } = options
  const peers: MeshPeer[] = []
  for (let i = 0; i < count; i++) {
    peers.push(
      await startNodePeer({
        dir: false,
        room: 'test',
        limits: TEST_LIMITS,
        syncIntervalMs: 1_000,
        maintainMs: 300,
        presenceIntervalMs: 500,
        ...rest,
        signaling: signaling.url,
        ...(blobStorage === undefined ? {} : { blobStorage: blobStorage() }),
      }),
    )
  }
  return peers
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<number> {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return Date.now() - started
}

export async function closeAll(peers: readonly MeshPeer[]): Promise<void> {
  await Promise.all(peers.map((p) => p.close()))
}

export type TestPeerOptions = Omit<NodePeerOptions, 'blobStorage'> & { readonly blobStorage?: () => BlobStore }

export interface SwarmFixture {
  /** The running signaling server; the first `start` starts one. */
  readonly signaling: SignalingServer
  /** Starts `count` Node peers on this test's signaling server (starting it if need be). */
  start(count: number, options?: TestPeerOptions): Promise<MeshPeer[]>
  stopSignaling(): Promise<void>
  /** Starts the signaling server again, on the port it had, as after a crash. */
  restartSignaling(): Promise<void>
}

/** A signaling server and Node peers per test, all closed after each test. */
export function useSwarm(): SwarmFixture {
  let signaling: SignalingServer | undefined
  let port = 0
  const peers: MeshPeer[] = []
  afterEach(async () => {
    await closeAll(peers.splice(0))
    await signaling?.close()
    signaling = undefined
    port = 0
  })
  return {
    get signaling() {
      if (signaling === undefined) throw new Error('no signaling server is running')
      return signaling
    },
    async start(count, options) {
      if (signaling === undefined) {
        signaling = await startSignaling(port)
        port = signaling.port
      }
      const started = await startPeers(signaling, count, options)
      peers.push(...started)
      return started
    },
    async stopSignaling() {
      await signaling?.close()
      signaling = undefined
    },
    async restartSignaling() {
      signaling = await startSignaling(port)
    },
  }
}
