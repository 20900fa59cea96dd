import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { servePage, type ServedPage } from '../../support/built-page.ts'
import { launchPersistentChromium } from '../../support/chromium.ts'

export interface PersistentBrowser {
  readonly context: BrowserContext
  readonly baseUrl: string
}

/**
 * For the tests of one file: builds and serves `pagesDir` and opens Chromium on
 * a profile on disk, as a real browser has (IndexedDB there outlives a reload
 * the way users see it; launchChromium's incognito contexts keep it in
 * memory). Both close after the file's tests. Call the returned function in a test.
 */
export function usePersistentBrowser(pagesDir: string): () => PersistentBrowser {
  let context: BrowserContext | undefined
  let server: ServedPage | undefined
  let profileDir = ''
  let baseUrl = ''
  beforeAll(async () => {
    server = await servePage(pagesDir)
    baseUrl = server.url
    profileDir = await mkdtemp(join(tmpdir(), 'tessera-chromium-profile-'))
    context = await launchPersistentChromium(profileDir)
  })
  afterAll(async () => {
    await context?.close()
    await server?.close()
    if (profileDir !== '') await rm(profileDir, { recursive: true, force: true })
  })
  return () => {
    if (context === undefined) throw new Error('no browser')
    return { context, baseUrl }
  }
}
