/**
 * @packageDocumentation
 * `@tessera/mesh/browser`: the mesh in a browser tab, over the page's own
 * RTCPeerConnection and WebSocket, persisted in IndexedDB.
 */
export * from '../index.ts'
export { browserRtc, browserWebSocket } from './browser-rtc.ts'
export { startBrowserPeer, type BrowserPeerOptions } from './start-browser-peer.ts'
export { openIndexedDbStorage, type IndexedDbStorage, type IndexedDbStorageOptions } from './idb-storage.ts'
export { IndexedDbDocStorage } from './idb-doc-storage.ts'
export { IndexedDbBlobStore } from './idb-blob-store.ts'
export { loadBrowserIdentity, type BrowserIdentity, type BrowserIdentityOptions } from './idb-identity.ts'
