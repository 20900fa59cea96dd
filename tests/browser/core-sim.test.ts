import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { servePage, type ServedPage } from '../support/built-page.ts'
import { launchChromium } from '../support/chromium.ts'
import { runCoreSim, type CoreSimOutcome } from '../support/core-sim-scenario.ts'

type PageGlobals = typeof globalThis & { coreSim?: CoreSimOutcome; coreSimError?: string }

let browser: Browser | undefined
let server: ServedPage | undefined
let baseUrl = ''

beforeAll(async () => {
  server = await servePage(fileURLToPath(new URL('./pages/core-sim/', import.meta.url)))
  baseUrl = server.url
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('the core in Chromium', () => {
  it('runs a simulated swarm job (Yjs, replicator, scheduler, donors) exactly as Node does', async () => {
    if (browser === undefined) throw new Error('no browser')
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    const seed = 7
    await page.goto(`${baseUrl}?seed=${seed}`)
    await page.waitForFunction(() => (globalThis as PageGlobals).coreSim !== undefined || (globalThis as PageGlobals).coreSimError !== undefined, null, {
      timeout: 60_000,
    })
    const fromPage = await page.evaluate(() => ({ outcome: (globalThis as PageGlobals).coreSim, error: (globalThis as PageGlobals).coreSimError }))
    expect(fromPage.error, errors.join('\n')).toBeUndefined()
    const inChromium = fromPage.outcome
    expect(inChromium?.results).toEqual(Array.from({ length: 120 }, (_, x) => x * x * x - 2 * x))
    expect(inChromium?.deaths).toBe(2)
    expect(inChromium?.cached).toBe(120)
    // Same seed, same events: the whole run matches Node's, not only its results.
    expect(inChromium).toEqual(await runCoreSim(seed))
    expect(errors).toEqual([])
  })
})
