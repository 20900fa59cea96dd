import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { executorChecks } from '@tessera/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { servePage, type ServedPage } from '../support/built-page.ts'
import { launchChromium } from '../support/chromium.ts'
import { expectEveryCheckPassed } from '../support/contract-report.ts'
import type { WebWorkerExecutorPage } from './pages/web-worker-executor/main.ts'

let browser: Browser | undefined
let server: ServedPage | undefined
let baseUrl = ''

beforeAll(async () => {
  server = await servePage(fileURLToPath(new URL('./pages/web-worker-executor/', import.meta.url)))
  baseUrl = server.url
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('WebWorkerExecutor in Chromium', () => {
  it("passes core's executor contract in real Web Workers, every check", async () => {
    if (browser === undefined) throw new Error('no browser')
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(baseUrl)
    await page.waitForFunction(() => (globalThis as WebWorkerExecutorPage).checks !== undefined || (globalThis as WebWorkerExecutorPage).fatal !== undefined, null, {
      timeout: 60_000,
    })
    const outcome = await page.evaluate(() => {
      const { checks, overheadUs, afterForgery, fatal } = globalThis as WebWorkerExecutorPage
      return { checks, overheadUs, afterForgery, fatal }
    })
    expect(outcome.fatal, errors.join('\n')).toBeUndefined()
    const checks = outcome.checks ?? []
    expectEveryCheckPassed(executorChecks, checks)
    expect(errors).toEqual([])
    // The forger reached the worker's global scope and posted 1,000 replies; none was read as one.
    expect(outcome.afterForgery).toEqual({ forger: 'posted', squares: Array.from({ length: 20 }, (_, x) => x * x), reachedGlobal: true })
    console.info(
      `WebWorkerExecutor per-task overhead in Chromium: ${outcome.overheadUs?.sequential.toFixed(0)} µs one at a time, ` +
        `${outcome.overheadUs?.concurrent.toFixed(0)} µs with many in flight over two workers; ` +
        `checks took ${checks.map((c) => c.ms.toFixed(0)).join(', ')} ms (each starts its own workers)`,
    )
  })
})
