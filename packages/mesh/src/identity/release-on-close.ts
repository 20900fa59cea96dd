import type { MeshPeer } from '../peer/mesh-peer.ts'

/**
 * Runs `release` once `peer.close()` has finished (or failed): a stored
 * identity's lock is held exactly as long as the peer that uses it. The
 * instance's `close` is wrapped, so every caller, including a swarm closing
 * its peer, goes through it.
 */
export function releaseOnClose(peer: MeshPeer, release: () => void | Promise<void>): void {
  const close = peer.close.bind(peer)
  peer.close = async () => {
    try {
      await close()
    } finally {
      await release()
    }
  }
}
