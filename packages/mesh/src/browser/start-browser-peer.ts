import { MemoryBlobStore } from '@tessera/core'
import { MeshPeer, type MeshPeerOptions } from '../peer/mesh-peer.ts'
import { browserRtc, browserWebSocket } from './browser-rtc.ts'
import { openIndexedDbStorage } from './idb-storage.ts'

export interface BrowserPeerOptions extends Partial<Omit<MeshPeerOptions, 'kind' | 'rtc' | 'WebSocket'>> {
  readonly signaling: string
  /** IndexedDB database for documents and blobs; `false` keeps everything in memory. Default `tessera`. */
  readonly database?: string | false
}

/**
 * A browser tab's peer. Its documents and blobs persist in IndexedDB, so a
 * reloaded tab rejoins with its data; writes still pending are flushed when the
 * page is hidden, since a closing tab gets no later chance.
 */
export async function startBrowserPeer(options: BrowserPeerOptions): Promise<MeshPeer> {
  const database = options.database ?? 'tessera'
  const storage = database === false ? undefined : await openIndexedDbStorage({ name: database })
  const peer = await MeshPeer.start({
    ...options,
    room: options.room ?? 'default',
    kind: 'browser',
    rtc: browserRtc,
    WebSocket: browserWebSocket,
    blobStorage: options.blobStorage ?? storage?.blobs ?? new MemoryBlobStore(),
    ...(storage === undefined ? {} : { docStorage: options.docStorage ?? storage.docs }),
  })
  globalThis.addEventListener?.('pagehide', () => void peer.flush())
  return peer
}
