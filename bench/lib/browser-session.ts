import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import type { ViteDevServer } from 'vite'
import { launchChromium, startVite } from '../../tests/support/chromium.ts'

const PAGES_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'pages')

let browser: Promise<Browser> | undefined
let vite: Promise<{ server: ViteDevServer; url: string }> | undefined

/** One Chromium for every section of a run: each launch costs seconds on this machine. */
export function sharedBrowser(): Promise<Browser> {
  browser ??= launchChromium()
  return browser
}

/** One Vite server over `bench/pages`; `pageUrl('swarm')` is that page's address. */
export async function pageUrl(page: string, query: Record<string, string | number> = {}): Promise<string> {
  vite ??= startVite(PAGES_ROOT)
  const { url } = await vite
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()
  return `${url}${page}/${search === '' ? '' : `?${search}`}`
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
  const v = vite
  browser = undefined
  vite = undefined
  await (await b)?.close()
  await (await v)?.server.close()
}
