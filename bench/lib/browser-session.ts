import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { readdirSync } from 'node:fs'
import { servePage, type ServedPage } from '../../tests/support/built-page.ts'
import { launchChromium } from '../../tests/support/chromium.ts'

const PAGES_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'pages')

let browser: Promise<Browser> | undefined
let pages: Promise<ServedPage> | undefined

/** One Chromium for every section of a run: each launch costs seconds on this machine. */
export function sharedBrowser(): Promise<Browser> {
  browser ??= launchChromium()
  return browser
}

/**
 * `bench/pages`, built once per run as a deployment ships them, and served;
 * `pageUrl('swarm')` is that page's address. (On Vite's dev server every Web
 * Worker a page started fetched its module graph again, about 1.2 s a start.)
 */
export async function pageUrl(page: string, query: Record<string, string | number> = {}): Promise<string> {
  const { url } = await servedPages()
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()
  return `${url}${page}/${search === '' ? '' : `?${search}`}`
}

/** The built pages, with source maps: tab CPU profiles are read by source file (`source-mapped-profile.ts`). */
export function servedPages(): Promise<ServedPage> {
  pages ??= servePage(PAGES_ROOT, {
    pages: readdirSync(PAGES_ROOT, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name),
    sourcemap: true,
  })
  return pages
}

/** A fresh tab on a bench page, with its errors shown; waits for `globalThis[ready]`. */
export async function openBenchPage(page: string, query: Record<string, string | number>, ready: string): Promise<Page> {
  const tab = await (await sharedBrowser()).newPage()
  tab.on('pageerror', (error) => console.error(`[${page} tab] ${error.message}`))
  tab.on('console', (message) => {
    if (message.type() === 'error') console.error(`[${page} tab console] ${message.text()}`)
  })
  await tab.goto(await pageUrl(page, query))
  await tab.waitForFunction((name) => (globalThis as Record<string, unknown>)[name] !== undefined, ready, { timeout: 60_000 })
  return tab
}

export async function closeBrowserSession(): Promise<void> {
  const b = browser
  const v = pages
  browser = undefined
  pages = undefined
  await (await b)?.close()
  await (await v)?.close()
}
