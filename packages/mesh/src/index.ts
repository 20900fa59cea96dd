/**
 * @packageDocumentation
 * `@tessera/mesh`: Yjs documents and blobs replicated over WebRTC data channels,
 * environment-neutral. The entry points `@tessera/mesh/node` and
 * `@tessera/mesh/browser` add the WebRTC, WebSocket and storage of each.
 */
export { MAX_FRAME_BYTES, Reassembler, ChunkCursor, wholeFrame, type Channel, type Decoded } from './framing/frames.ts'
export { SendQueue, type FrameSink, type SendQueueOptions } from './framing/send-queue.ts'
export { PeerLink, type RtcImplementation, type LinkLimits, type LinkCloseReason, type LinkEvents, type PeerLinkOptions } from './link/peer-link.ts'
export { parseLinkSignal, type LinkSignal } from './link/link-signal.ts'
export { SignalingClient, type SignalingClientOptions, type SignalingEvents } from './signaling/signaling-client.ts'
export type { WebSocketLike, WebSocketConstructor } from './signaling/websocket.ts'
export { Mesh, type MeshEvents } from './mesh/mesh.ts'
export { MESH_DEFAULTS, iceOptionsOf, type IceOptions, type MeshOptions } from './mesh/mesh-options.ts'
export type { CandidateType, LinkRoute } from './link/link-route.ts'
export { CHANNELS } from './mesh/channels.ts'
export { ChannelTransport } from './mesh/channel-transport.ts'
export { Presence, type PresenceInfo, type PresenceRecord, type PresenceOptions } from './presence/presence.ts'
export { BlobExchange, type BlobExchangeOptions, type FetchOptions } from './blobs/blob-exchange.ts'
export { decodeBlobMessage, encodeBlobMessage, type BlobMessage } from './blobs/blob-messages.ts'
export { MeshBlobStore, type MeshBlobStoreOptions } from './blobs/mesh-blob-store.ts'
export { MeshPeer, type MeshPeerOptions } from './peer/mesh-peer.ts'
export { JOIN_DEFAULTS, type JoinOptions, type JoinReport } from './peer/join-swarm.ts'
export type { DocStorage } from './storage/doc-storage.ts'
export { MemoryDocStorage } from './storage/memory-doc-storage.ts'
export { DocPersistence, DOC_PERSISTENCE_DEFAULTS, type DocPersistenceOptions } from './storage/doc-persistence.ts'
export { TESSERA_VERSION } from './version.ts'
