import { loadBrowserIdentity, openIndexedDbStorage, startBrowserPeer, type BrowserIdentity, type MeshPeer } from '@tessera/mesh/browser'
import { addressOfBytesAsync, nobleEd25519, RAW_CODEC, toBase64Url } from '@tessera/core'
import { ed25519EngineChecks, runChecks, type CheckResult } from '@tessera/core/testing'

/**
 * Drives tab identities for tests/browser/identity.test.ts, which calls these
 * functions through `page.evaluate` in several tabs of one origin.
 */

/** Nobody listens there: the peer starts and keeps retrying signaling, which these tests do not need. */
const NO_SIGNALING = 'ws://127.0.0.1:9'

export interface IdentitySummary {
  readonly peer: string
  readonly slot: number | null
  readonly ephemeral: string | null
}

let peer: MeshPeer | undefined
const loaded: BrowserIdentity[] = []

const summary = (stored: BrowserIdentity): IdentitySummary => ({ peer: stored.identity.peer, slot: stored.slot ?? null, ephemeral: stored.ephemeral ?? null })

const api = {
  /** startBrowserPeer on `database`: the id the tab's peer got. */
  async startPeer(database: string): Promise<string> {
    peer = await startBrowserPeer({ signaling: NO_SIGNALING, room: 'identity', database })
    return peer.id
  },

  async closePeer(): Promise<void> {
    await peer?.close()
    peer = undefined
  },

  /** One more identity for this tab (kept until the page goes), as a second peer in the tab would get. */
  async load(database: string | false, withoutLocks = false): Promise<IdentitySummary> {
    const stored = await loadBrowserIdentity({ database, ...(withoutLocks ? { locks: null } : {}) })
    loaded.push(stored)
    return summary(stored)
  },

  /** Seeded bytes of several lengths, views at an offset included, and how this tab spells them in base64url (past 64 bytes, the platform's encoder). */
  async base64Spellings(): Promise<Array<{ bytes: number[]; text: string }>> {
    const backing = Uint8Array.from({ length: 400 }, (_, i) => (i * 151 + 7) & 0xff)
    return [0, 1, 2, 3, 63, 64, 65, 66, 67, 256, 299].map((size) => {
      const view = backing.subarray(size % 5, (size % 5) + size)
      return { bytes: Array.from(view), text: toBase64Url(view) }
    })
  },

  /** The Ed25519 engine contract against the engine tabs sign with. */
  async runEd25519Contract(): Promise<CheckResult[]> {
    return runChecks(ed25519EngineChecks, nobleEd25519)
  },

  /** The identity slots whose Web Locks some tab of the origin holds. */
  async heldSlots(): Promise<string[]> {
    const state = await navigator.locks.query()
    return (state.held ?? []).map((lock) => lock.name ?? '').filter((name) => name.startsWith('tessera-identity-')).sort()
  },

  /**
   * A database as the first schema (version 1, before identities) left it,
   * with one blob; then a peer starts on it. Reports the peer's id and
   * whether the blob survived the upgrade.
   */
  async upgradeFromVersion1(database: string): Promise<{ peer: string; blobKept: boolean; version: number }> {
    const bytes = new TextEncoder().encode('kept across the upgrade')
    const address = await addressOfBytesAsync(bytes, RAW_CODEC)
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(database, 1)
      request.onupgradeneeded = () => {
        request.result.createObjectStore('doc-updates')
        request.result.createObjectStore('blobs').put(bytes, address.toString())
      }
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
      request.onerror = () => reject(request.error)
    })
    const id = await api.startPeer(database)
    await api.closePeer()
    const storage = await openIndexedDbStorage({ name: database })
    const blob = await storage.blobs.get(address)
    await storage.close()
    const version = await new Promise<number>((resolve, reject) => {
      const request = indexedDB.open(database)
      request.onsuccess = () => {
        resolve(request.result.version)
        request.result.close()
      }
      request.onerror = () => reject(request.error)
    })
    return { peer: id, blobKept: blob !== undefined && new TextDecoder().decode(blob) === 'kept across the upgrade', version }
  },
}

export type IdentityPage = typeof api

const output = globalThis as typeof globalThis & { identityPage?: IdentityPage }
output.identityPage = api
