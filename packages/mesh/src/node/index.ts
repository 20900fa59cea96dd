/**
 * @packageDocumentation
 * `@tessera/mesh/node`: the mesh in Node, over @roamhq/wrtc and `ws`, with
 * documents and blobs persisted under a directory.
 */
import { useEd25519Engine } from '@tessera/core'
import { nodeEd25519 } from './node-ed25519.ts'

// Every Node process that loads the mesh signs and verifies natively (≈ 20× the pure-JS default).
useEd25519Engine(nodeEd25519)

export * from '../index.ts'
export { nodeRtc, nodeWebSocket } from './node-rtc.ts'
export { startNodePeer, DEFAULT_SIGNALING_URL, DEFAULT_ROOM, type NodePeerOptions } from './start-node-peer.ts'
export { FsDocStorage, type FsDocStorageOptions } from './fs-doc-storage.ts'
export { FsBlobStore, type FsBlobStoreOptions, type StoredBlob } from './fs-blob-store.ts'
export { DEFAULT_DATA_DIR } from './data-dir.ts'
export { nodeEd25519 } from './node-ed25519.ts'
export { loadNodeIdentity, readStoredIdentity, IdentityFileError, IDENTITY_FILE, IDENTITY_LOCK_FILE, type NodeIdentity } from './fs-identity.ts'
