import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { IdentityPage } from './pages/identity/main.ts'
import { usePersistentBrowser } from './support/persistent-browser.ts'
import { expectEveryCheckPassed } from '../support/contract-report.ts'
import { ed25519EngineChecks } from '@tessera/core/testing'
import { callPageApi, waitForPageApi, type ApiMethod } from './support/page-api.ts'

// A profile on disk, as a real browser has: IndexedDB there outlives a reload
// the way users see it (launchChromium's incognito contexts keep it in memory).

const browser = usePersistentBrowser(fileURLToPath(new URL('./pages/identity/', import.meta.url)))
const errors: string[] = []

/** A database name no other test or earlier run uses. */
const uniqueName = (label: string): string => `identity-${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`

async function openTab(): Promise<Page> {
  const page = await browser().context.newPage()
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(browser().baseUrl)
  await waitForApi(page)
  return page
}

const waitForApi = (page: Page): Promise<void> => waitForPageApi(page, 'identityPage')
const call = <K extends ApiMethod<IdentityPage>>(page: Page, method: K, ...args: Parameters<IdentityPage[K]>): ReturnType<IdentityPage[K]> =>
  callPageApi<IdentityPage, K>(page, 'identityPage', method, ...(args as never)) as ReturnType<IdentityPage[K]>

/** Web Locks go when their tab goes, but through the browser process: wait until the slot is seen free. */
async function waitUntilFree(observer: Page, lockName: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while ((await call(observer, 'heldSlots')).includes(lockName)) {
    if (Date.now() > deadline) throw new Error(`${lockName} is still held`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('tab identities in Chromium (IndexedDB and Web Locks)', () => {
  it('gives two tabs of one origin different ids, and a reloaded tab its previous id', async () => {
    const database = uniqueName('tabs')
    const slot = (n: number): string => `tessera-identity-${n}@${database}`
    const first = await openTab()
    const second = await openTab()
    const firstId = await call(first, 'startPeer', database)
    const secondId = await call(second, 'startPeer', database)
    expect(firstId).toMatch(/^k[A-Za-z0-9_-]{43}$/)
    expect(secondId).toMatch(/^k[A-Za-z0-9_-]{43}$/)
    expect(secondId).not.toBe(firstId)
    expect(await call(first, 'heldSlots')).toEqual([slot(0), slot(1)])

    const reloadStarted = performance.now()
    await first.reload()
    await waitForApi(first)
    expect(await call(first, 'startPeer', database)).toBe(firstId)
    const reloadMs = performance.now() - reloadStarted

    // The first tab goes; the second, reloaded, still gets its own id, not the lower slot now free.
    await first.close()
    await waitUntilFree(second, slot(0))
    await second.reload()
    await waitForApi(second)
    expect(await call(second, 'startPeer', database)).toBe(secondId)

    // A new tab takes the first free slot: the closed tab's identity.
    const third = await openTab()
    expect(await call(third, 'startPeer', database)).toBe(firstId)
    console.info('tab identity: reload until the same id', { reloadMs: Math.round(reloadMs) })
    await second.close()
    await third.close()
    expect(errors).toEqual([])
  })

  it('gives a slot back when its peer closes, and several identities to one tab that asks', async () => {
    const database = uniqueName('close')
    const tab = await openTab()
    const peerId = await call(tab, 'startPeer', database)
    const more = await call(tab, 'load', database)
    expect(more).toMatchObject({ slot: 1, ephemeral: null })
    expect(more.peer).not.toBe(peerId)
    await call(tab, 'closePeer')
    const again = await call(tab, 'load', database)
    expect(again).toEqual({ peer: peerId, slot: 0, ephemeral: null })
    await tab.close()
    expect(errors).toEqual([])
  })

  it('passes the Ed25519 engine contract with the engine tabs use', async () => {
    const tab = await openTab()
    expectEveryCheckPassed(ed25519EngineChecks, await call(tab, 'runEd25519Contract'))
    await tab.close()
  })

  it('spells bytes in base64url as Node does, with the tab\'s own encoder past 64 bytes', async () => {
    const tab = await openTab()
    for (const { bytes, text } of await call(tab, 'base64Spellings')) expect(text, `${bytes.length} bytes`).toBe(Buffer.from(bytes).toString('base64url'))
    await tab.close()
  })

  it('keeps an identity in memory only without Web Locks or without a database', async () => {
    const database = uniqueName('memory')
    const tab = await openTab()
    const a = await call(tab, 'load', database, true)
    const b = await call(tab, 'load', database, true)
    expect(a).toMatchObject({ slot: null, ephemeral: 'no-locks' })
    expect(b.peer).not.toBe(a.peer)
    expect(await call(tab, 'load', false)).toMatchObject({ slot: null, ephemeral: 'no-storage' })
    // Nothing was stored: the first slot still gets a new identity.
    const stored = await call(tab, 'load', database)
    expect(stored.slot).toBe(0)
    expect([a.peer, b.peer]).not.toContain(stored.peer)
    await tab.close()
    expect(errors).toEqual([])
  })

  it('upgrades a database of the first schema, keeping its blobs', async () => {
    const tab = await openTab()
    const result = await call(tab, 'upgradeFromVersion1', uniqueName('upgrade'))
    expect(result.peer).toMatch(/^k[A-Za-z0-9_-]{43}$/)
    expect(result.blobKept).toBe(true)
    expect(result.version).toBe(2)
    await tab.close()
    expect(errors).toEqual([])
  })
})
