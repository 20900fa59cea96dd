/**
 * @packageDocumentation
 * `@tessera/mesh/node`: the mesh in Node, over @roamhq/wrtc and `ws`, with
 * documents and blobs persisted under a directory.
 */
export * from '../index.ts'
export { nodeRtc, nodeWebSocket } from './node-rtc.ts'
export { startNodePeer, DEFAULT_SIGNALING_URL, DEFAULT_ROOM, type NodePeerOptions } from './start-node-peer.ts'
export { FsDocStorage, type FsDocStorageOptions } from './fs-doc-storage.ts'
export { FsBlobStore, type FsBlobStoreOptions } from './fs-blob-store.ts'
export { DEFAULT_DATA_DIR } from './data-dir.ts'
