import { MemoryBlobStore } from '@tessera/core'
import { MeshPeer, type MeshPeerOptions } from '../peer/mesh-peer.ts'
import { releaseOnClose } from '../identity/release-on-close.ts'
import { browserRtc, browserWebSocket } from './browser-rtc.ts'
import { loadBrowserIdentity } from './idb-identity.ts'
import { openIndexedDbStorage } from './idb-storage.ts'

export interface BrowserPeerOptions extends Partial<Omit<MeshPeerOptions, 'kind' | 'rtc' | 'WebSocket'>> {
  readonly signaling: string | readonly string[]
  /**
   * IndexedDB database for documents, blobs and the tab's identity; `false`
   * keeps everything in memory. Default `tessera`. Each open tab has an
   * identity of its own, and a reloaded tab gets its id back (`loadBrowserIdentity`).
   */
  readonly database?: string | false
}

/**
 * A browser tab's peer. Its identity, documents and blobs persist in
 * IndexedDB, so a reloaded tab rejoins with its id and its data; writes still
 * pending are flushed when the page is hidden, since a closing tab gets no
 * later chance.
 */
export async function startBrowserPeer(options: BrowserPeerOptions): Promise<MeshPeer> {
  const database = options.database ?? 'tessera'
  const stored = options.identity === undefined ? await loadBrowserIdentity({ database }) : undefined
  let peer: MeshPeer
  try {
    const storage = database === false ? undefined : await openIndexedDbStorage({ name: database })
    peer = await MeshPeer.start({
      ...options,
      room: options.room ?? 'default',
      identity: options.identity ?? stored?.identity,
      kind: 'browser',
      rtc: browserRtc,
      WebSocket: browserWebSocket,
      blobStorage: options.blobStorage ?? storage?.blobs ?? new MemoryBlobStore(),
      ...(storage === undefined ? {} : { docStorage: options.docStorage ?? storage.docs }),
    })
  } catch (error) {
    stored?.release()
    throw error
  }
  // The slot goes back to the pool when the peer closes; the browser frees it anyway when the tab goes.
  if (stored !== undefined) releaseOnClose(peer, () => stored.release())
  globalThis.addEventListener?.('pagehide', () => void peer.flush())
  return peer
}
