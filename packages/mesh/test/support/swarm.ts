import type { BlobStore } from '@tessera/core'
import { startNodePeer, type MeshPeer, type NodePeerOptions } from '@tessera/mesh/node'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'

/** Fast failure detection, so churn tests take seconds rather than minutes. */
export const TEST_LIMITS = { heartbeatMs: 300, deadAfterMs: 2_000, connectTimeoutMs: 10_000 }

export async function startSignaling(port = 0): Promise<SignalingServer> {
  return startSignalingServer({ port })
}

export async function startPeers(
  signaling: SignalingServer,
  count: number,
  options: Omit<NodePeerOptions, 'blobStorage'> & { readonly blobStorage?: () => BlobStore } = {},
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
