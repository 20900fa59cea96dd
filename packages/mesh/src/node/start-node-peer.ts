import { MemoryBlobStore, useEd25519Engine } from '@tessera/core'
import { DEFAULT_SIGNALING_PORT } from '@tessera/signaling/protocol'
import { releaseOnClose } from '../identity/release-on-close.ts'
import { MeshPeer, type MeshPeerOptions } from '../peer/mesh-peer.ts'
import { DEFAULT_DATA_DIR } from './data-dir.ts'
import { FsBlobStore } from './fs-blob-store.ts'
import { FsDocStorage } from './fs-doc-storage.ts'
import { loadNodeIdentity } from './fs-identity.ts'
import { nodeEd25519 } from './node-ed25519.ts'
import { nodeRtc, nodeWebSocket } from './node-rtc.ts'

export interface NodePeerOptions extends Partial<Omit<MeshPeerOptions, 'kind' | 'WebSocket'>> {
  /**
   * Where documents, blobs and the peer's identity (`identity.json`) persist;
   * `false` keeps everything in memory. Default `.tessera`. While the peer
   * runs, the dir's identity is its own: a second peer on the same dir, in
   * this process or another, gets a fresh identity in memory (see `loadNodeIdentity`).
   */
  readonly dir?: string | false
}

export const DEFAULT_SIGNALING_URL = `ws://127.0.0.1:${DEFAULT_SIGNALING_PORT}`
export const DEFAULT_ROOM = 'default'

/** A Node peer on the embedded defaults: local signaling, room `default`, data under `.tessera/`. */
export async function startNodePeer(options: NodePeerOptions = {}): Promise<MeshPeer> {
  // Also done when `@tessera/mesh/node` loads; repeated for whoever imports this file alone.
  useEd25519Engine(nodeEd25519)
  const dir = options.dir ?? DEFAULT_DATA_DIR
  const stored = options.identity === undefined ? await loadNodeIdentity(dir) : undefined
  const identity = options.identity ?? stored?.identity
  let peer: MeshPeer
  try {
    peer = await MeshPeer.start({
      ...options,
      signaling: options.signaling ?? DEFAULT_SIGNALING_URL,
      room: options.room ?? DEFAULT_ROOM,
      identity,
      kind: 'node',
      rtc: options.rtc ?? nodeRtc,
      WebSocket: nodeWebSocket,
      ...(dir === false
        ? { blobStorage: options.blobStorage ?? new MemoryBlobStore() }
        : {
            docStorage: options.docStorage ?? new FsDocStorage({ dir }),
            blobStorage: options.blobStorage ?? new FsBlobStore({ dir }),
          }),
    })
  } catch (error) {
    await stored?.release()
    throw error
  }
  // The dir's identity goes back when the peer closes (or, failing that, when the process exits).
  if (stored !== undefined) releaseOnClose(peer, () => stored.release())
  return peer
}
