import { MemoryBlobStore } from '@tessera/core'
import { DEFAULT_SIGNALING_PORT } from '@tessera/signaling/protocol'
import { MeshPeer, type MeshPeerOptions } from '../peer/mesh-peer.ts'
import { DEFAULT_DATA_DIR } from './data-dir.ts'
import { FsBlobStore } from './fs-blob-store.ts'
import { FsDocStorage } from './fs-doc-storage.ts'
import { nodeRtc, nodeWebSocket } from './node-rtc.ts'

export interface NodePeerOptions extends Partial<Omit<MeshPeerOptions, 'kind' | 'WebSocket'>> {
  /** Where documents and blobs persist; `false` keeps everything in memory. Default `.tessera`. */
  readonly dir?: string | false
}

export const DEFAULT_SIGNALING_URL = `ws://127.0.0.1:${DEFAULT_SIGNALING_PORT}`
export const DEFAULT_ROOM = 'default'

/** A Node peer on the embedded defaults: local signaling, room `default`, data under `.tessera/`. */
export async function startNodePeer(options: NodePeerOptions = {}): Promise<MeshPeer> {
  const dir = options.dir ?? DEFAULT_DATA_DIR
  return MeshPeer.start({
    ...options,
    signaling: options.signaling ?? DEFAULT_SIGNALING_URL,
    room: options.room ?? DEFAULT_ROOM,
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
}
