import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { blobStoreChecks } from '@tessera/core/testing'
import { docStorageChecks } from '@tessera/mesh/testing'
import { expectEveryCheckPassed } from '../support/contract-report.ts'
import type { MeshStoragePage } from './pages/mesh-storage/main.ts'
import { usePersistentBrowser } from './support/persistent-browser.ts'
import { callPageApi, waitForPageApi, type ApiMethod } from './support/page-api.ts'

// A profile on disk rather than launchChromium's incognito context: there
// IndexedDB lives in memory and ignores quota overrides, so neither the reload
// nor the quota test would show what a real tab does.

const browser = usePersistentBrowser(fileURLToPath(new URL('./pages/mesh-storage/', import.meta.url)))

/** A database name no other test or earlier run uses. */
const uniqueName = (label: string): string => `mesh-storage-${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`

async function openPage(url = browser().baseUrl): Promise<{ page: Page; errors: string[] }> {
  const page = await browser().context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(url)
  await waitForApi(page)
  return { page, errors }
}

const waitForApi = (page: Page): Promise<void> => waitForPageApi(page, 'meshStorage')
const call = <K extends ApiMethod<MeshStoragePage>>(page: Page, method: K, ...args: Parameters<MeshStoragePage[K]>): ReturnType<MeshStoragePage[K]> =>
  callPageApi<MeshStoragePage, K>(page, 'meshStorage', method, ...(args as never)) as ReturnType<MeshStoragePage[K]>

describe('mesh storage in Chromium (IndexedDB)', () => {
  it('passes every DocStorage and BlobStore check', async () => {
    const { page, errors } = await openPage()
    const report = await call(page, 'runContract', uniqueName('contract'))
    expectEveryCheckPassed(docStorageChecks, report.docs)
    expectEveryCheckPassed(blobStoreChecks, report.blobs)
    console.info(
      'IndexedDB checks (ms):',
      Object.fromEntries([...report.docs, ...report.blobs].map((result) => [result.name, Math.round(result.ms)])),
    )
    expect(errors).toEqual([])
    await page.close()
  })

  it('treats a damaged blob record as missing and deletes it', async () => {
    const { page, errors } = await openPage()
    const result = await call(page, 'damagedBlob', uniqueName('damaged'))
    expect(result).toEqual({ before: true, got: 'undefined', hasAfter: false })
    expect(errors).toEqual([])
    await page.close()
  })

  it('keeps a persisted Y.Doc across a page reload', async () => {
    const { page, errors } = await openPage()
    const name = uniqueName('reload')
    const written = await call(page, 'writeDoc', name)
    expect(written.entries).toBe(2000)
    expect(written.payloadBytes).toBe(2 * 1024 * 1024)
    // Ten flushes: appends until more than 500 updates are stored, then compactions.
    expect(written.appends + written.compactions).toBe(11)
    expect(written.compactions).toBeGreaterThan(0)

    const reloadStart = performance.now()
    await page.reload()
    await waitForApi(page)
    const read = await call(page, 'readDoc', name, written.blob ?? '')
    const reloadMs = performance.now() - reloadStart

    expect(read.stateVector).toEqual(written.stateVector)
    expect(read.entries).toBe(written.entries)
    expect(read.entriesDigest).toBe(written.entriesDigest)
    expect(read.payloadDigest).toBe(written.payloadDigest)
    expect(read.payloadBytes).toBe(2 * 1024 * 1024)
    expect(read.blob).toBe(written.blob)
    console.info('IndexedDB reload:', {
      persisted: written.persisted,
      appends: written.appends,
      compactions: written.compactions,
      storedRecords: read.stored,
      writeMs: Math.round(written.writeMs),
      reloadUntilReadMs: Math.round(reloadMs),
      openDbMs: Math.round(read.openMs),
      loadAndApplyMs: Math.round(read.loadMs),
    })
    expect(errors).toEqual([])
    await page.close()
  })

  it('appends 1,000 updates in one transaction', async () => {
    const { page, errors } = await openPage()
    const result = await call(page, 'appendMany', uniqueName('append'))
    expect(result.readwrite).toBe(1)
    expect(result.readonly).toBe(0)
    expect(result.loaded).toBe(1000)
    console.info('IndexedDB append:', {
      oneCallOf1000Ms: Math.round(result.oneCallMs),
      [`${result.separateCalls}SeparateCallsMs`]: Math.round(result.separateMs),
    })
    expect(errors).toEqual([])
    await page.close()
  })

  it('reports a full storage quota as SizeLimitError', async () => {
    const { context } = browser()
    // In our runs Chromium ignored a quota override for an origin whose storage
    // earlier tests had opened, so this test reaches the server by another name.
    const url = new URL(browser().baseUrl)
    url.hostname = 'localhost'
    const blank = await context.newPage()
    const cdp = await context.newCDPSession(blank)
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: url.origin, quotaSize: 8 * 1024 * 1024 })
    const { page, errors } = await openPage(url.href)
    try {
      // The lowered quota is enforced only roughly (usage accounting lags), so the
      // page writes until a write fails rather than a fixed amount.
      const result = await call(page, 'fillQuota', uniqueName('quota'))
      expect(result.name).toBe('SizeLimitError')
      expect(result.message).toMatch(/storage quota/)
      expect(result.causeName).toBe('QuotaExceededError')
      expect(result.appended).toBeGreaterThan(0)
      console.info(`IndexedDB quota: 2 MB appends before the 8 MB quota override failed: ${result.appended}`)
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: url.origin })
      await blank.close()
    }
    expect(errors).toEqual([])
    await page.close()
  })
})
