import type * as Y from 'yjs'
import { startBrowserPeer, type MeshPeer, type PresenceRecord } from '@tessera/mesh/browser'
import { fillLargeDoc, largeDocFingerprint } from '@tessera/mesh/testing'

// The test drives this page through `window.meshPage`: every call is a real
// action of a real peer in this tab.
let peer: MeshPeer | undefined
const docs = new Map<string, Y.Doc>()

const need = (): MeshPeer => {
  if (peer === undefined) throw new Error('peer not started')
  return peer
}

async function doc(guid: string): Promise<Y.Doc> {
  const p = need()
  if (guid === 'swarm') return p.swarm.doc
  let d = docs.get(guid)
  if (d === undefined) docs.set(guid, (d = await p.openDoc(guid)))
  return d
}

export type MeshPageApi = typeof meshPage

const meshPage = {
  async start(options: { signaling: string; room: string; database: string | false; maxPeers?: number }): Promise<string> {
    peer = await startBrowserPeer({
      ...options,
      workers: 2,
      limits: { heartbeatMs: 300, deadAfterMs: 2_000 },
      maintainMs: 300,
      syncIntervalMs: 1_000,
      presenceIntervalMs: 500,
    })
    return peer.id
  },
  openPeers: (): string[] => need().mesh.openPeers(),
  presence: (): PresenceRecord[] => need().presence.list(),
  async set(guid: string, key: string, value: string): Promise<void> {
    ;(await doc(guid)).getMap<string>('notes').set(key, value)
  },
  async notes(guid: string): Promise<Record<string, string>> {
    return Object.fromEntries((await doc(guid)).getMap<string>('notes').entries())
  },
  async fillLarge(guid: string): Promise<void> {
    fillLargeDoc(await doc(guid))
  },
  async fingerprint(guid: string): Promise<ReturnType<typeof largeDocFingerprint>> {
    return largeDocFingerprint(await doc(guid))
  },
  async flush(): Promise<void> {
    await need().flush()
  },
  async close(): Promise<void> {
    await peer?.close()
    peer = undefined
  },
}

Object.assign(globalThis, { meshPage })
