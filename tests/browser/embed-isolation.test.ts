import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { DonationStats } from '@tessera/client'
import { executorChecks } from '@tessera/core/testing'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { servePage } from '../support/built-page.ts'
import { launchChromium } from '../support/chromium.ts'
import { expectEveryCheckPassed } from '../support/contract-report.ts'
import { serveDirectory } from '../support/static-server.ts'
import type { SandboxPolicyPage } from './pages/sandbox-policy/main.ts'
import type { SandboxedExecutorPage } from './pages/sandboxed-executor/main.ts'

// A third-party page on one origin embeds Tessera from another with the one-line
// snippet; a Node host sends it a task that reaches for the network and storage.

const ROOM = 'embed-isolation'
type EmbedGlobals = typeof globalThis & { tessera?: { donation: { stats(): DonationStats } } }

let dist = ''
let browser: Browser | undefined
let tessera: SignalingServer | undefined
let thirdParty: Server | undefined
let sink: Server | undefined
let sinkUrl = ''
let host: Swarm | undefined
/** Requests that reached the sink, or the third-party origin for anything but its page. */
const leaked: string[] = []

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const record = (where: string) => (req: IncomingMessage) => leaked.push(`${where} ${req.method ?? ''} ${req.url ?? ''}`)

beforeAll(async () => {
  dist = inject('donateDist')
  browser = await launchChromium()
  // The embed's server: signaling and the built files on one port, as `tessera serve` runs them.
  tessera = await startSignalingServer({ port: 0, httpFallback: serveDirectory(dist) })
  sink = createServer((req, res) => {
    record('sink')(req)
    res.writeHead(200, { 'access-control-allow-origin': '*' }).end('leaked')
  })
  sink.on('upgrade', (req, socket) => {
    record('sink upgrade')(req)
    socket.destroy()
  })
  sinkUrl = await listen(sink)
})

afterAll(async () => {
  await host?.close()
  await browser?.close()
  await tessera?.close()
  thirdParty?.close()
  sink?.close()
})

/** Everything a task might reach for, each attempt's outcome as `Name: message`, or `allowed`. */
const probe = async ({ embedding, sink }: { embedding: string; sink: string }): Promise<Record<string, string>> => {
  const scope = Function('return this')() as {
    fetch(url: string): Promise<unknown>
    XMLHttpRequest: new () => { open(method: string, url: string): void; send(): void }
    WebSocket: new (url: string) => unknown
    EventSource: new (url: string) => unknown
    indexedDB: { open(name: string): unknown }
    importScripts(url: string): void
  }
  const attempt = async (run: () => unknown): Promise<string> => {
    try {
      await run()
      return 'allowed'
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`
    }
  }
  return {
    fetch: await attempt(() => scope.fetch(`${embedding}/fetch-from-task`)),
    xhr: await attempt(() => {
      const request = new scope.XMLHttpRequest()
      request.open('GET', `${embedding}/xhr-from-task`)
      request.send()
    }),
    webSocket: await attempt(() => new scope.WebSocket(`${sink.replace('http', 'ws')}/websocket-from-task`)),
    eventSource: await attempt(() => new scope.EventSource(`${sink}/event-source-from-task`)),
    indexedDB: await attempt(() => scope.indexedDB.open('page-secrets')),
    importScripts: await attempt(() => scope.importScripts(`${sink}/import-scripts-from-task.js`)),
    // No stub can replace `import()`: only the frame's policy stops this one.
    // Built with Function, as the test runner would rewrite a literal import().
    dynamicImport: await attempt(() => (Function('url', 'return import(url)') as (url: string) => Promise<unknown>)(`${sink}/dynamic-import-from-task.js`)),
  }
}

const square = ({ x }: { x: number }): number => x * x

describe('the one-line embed, isolated from the page that embeds it', () => {
  it('runs a task that reaches for the network and storage: every attempt fails with a clear error, nothing arrives, and the tab runs the next job', async () => {
    if (browser === undefined || tessera === undefined) throw new Error('not set up')
    const embedSrc = `http://localhost:${tessera.port}/tessera-embed.js`
    const pageHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A third-party page</title></head>
<body><h1>Someone else's page</h1>
<script>indexedDB.open('page-secrets').onupgradeneeded = (e) => e.target.result.createObjectStore('secrets')</script>
<script type="module" src="${embedSrc}" data-room="${ROOM}" data-workers="1"></script></body></html>`
    thirdParty = createServer((req, res) => {
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pageHtml)
        return
      }
      record('embedding origin')(req)
      res.writeHead(200, { 'access-control-allow-origin': '*' }).end('leaked')
    })
    thirdParty.on('upgrade', (req, socket) => {
      record('embedding origin upgrade')(req)
      socket.destroy()
    })
    const embedding = await listen(thirdParty)

    const page: Page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${embedding}/`)
    // The embed found its signaling server from its own URL: the same port that served it.
    await page.waitForFunction(() => (globalThis as EmbedGlobals).tessera?.donation.stats().state === 'donating', null, { timeout: 30_000 })

    host = await connect({
      signaling: tessera.url,
      room: ROOM,
      workers: 0,
      cacheDir: false,
      replication: { limits: { heartbeatMs: 300, deadAfterMs: 2_000 }, syncIntervalMs: 1_000 },
    })
    const deadline = Date.now() + 30_000
    while (host.status().workers < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(host.status().workers).toBe(1)

    const attempts = await host.pure(probe, { name: 'probe', timeoutMs: 20_000 }).remote({ embedding, sink: sinkUrl })
    const withheld = (what: string): string => `SandboxError: ${what} is not available to tasks: a task is a pure function of its arguments, with no network and no storage`
    expect(attempts).toEqual({
      fetch: withheld('fetch'),
      xhr: withheld('XMLHttpRequest'),
      webSocket: withheld('WebSocket'),
      eventSource: withheld('EventSource'),
      indexedDB: withheld('indexedDB'),
      importScripts: withheld('importScripts'),
      dynamicImport: expect.stringMatching(/^TypeError: /),
    })

    // The tab survives, and the next job runs on it.
    const runBefore = await page.evaluate(() => (globalThis as EmbedGlobals).tessera?.donation.stats().tasksRun ?? 0)
    const squares = await host.pure(square, { name: 'square' }).parallel(Array.from({ length: 20 }, (_, x) => ({ x })))
    expect(squares).toEqual(Array.from({ length: 20 }, (_, x) => x * x))
    const runAfter = await page.evaluate(() => (globalThis as EmbedGlobals).tessera?.donation.stats().tasksRun ?? 0)
    expect(runAfter - runBefore).toBeGreaterThanOrEqual(20)

    // The page's own database is as the page left it.
    const stores = await page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          indexedDB.open('page-secrets').onsuccess = (event) => resolve(Array.from((event.target as IDBOpenDBRequest).result.objectStoreNames))
        }),
    )
    expect(stores).toEqual(['secrets'])
    // Give anything that slipped out time to arrive before counting.
    await new Promise((r) => setTimeout(r, 500))
    expect(leaked).toEqual([])
    expect(pageErrors).toEqual([])
    await page.close()
  })

  it("SandboxedExecutor passes core's executor contract, every check, and resizes while runs go on", async () => {
    if (browser === undefined) throw new Error('not set up')
    const executorPage = await servePage(fileURLToPath(new URL('./pages/sandboxed-executor/', import.meta.url)))
    try {
      const page = await browser.newPage()
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(executorPage.url)
      await page.waitForFunction(() => (globalThis as SandboxedExecutorPage).checks !== undefined || (globalThis as SandboxedExecutorPage).fatal !== undefined, null, {
        timeout: 60_000,
      })
      const { checks, ownChecks, fatal } = await page.evaluate(() => {
        const { checks, ownChecks, fatal } = globalThis as SandboxedExecutorPage
        return { checks, ownChecks, fatal }
      })
      expect(fatal, errors.join('\n')).toBeUndefined()
      expectEveryCheckPassed(executorChecks, checks)
      expectEveryCheckPassed([{ name: 'resizes while runs go on' }], ownChecks)
      expect(errors).toEqual([])
      await page.close()
    } finally {
      await executorPage.close()
    }
  })

  it("blocks every request by the sandbox frame's policy alone, with no stubs in the worker", async () => {
    if (browser === undefined) throw new Error('not set up')
    const served = await servePage(fileURLToPath(new URL('./pages/sandbox-policy/', import.meta.url)))
    try {
      const page = await browser.newPage()
      await page.goto(`${served.url}?sink=${encodeURIComponent(sinkUrl)}`)
      await page.waitForFunction(() => (globalThis as SandboxPolicyPage).attempts !== undefined || (globalThis as SandboxPolicyPage).fatal !== undefined, null, {
        timeout: 30_000,
      })
      const { attempts, fatal } = await page.evaluate(() => ({ attempts: (globalThis as SandboxPolicyPage).attempts, fatal: (globalThis as SandboxPolicyPage).fatal }))
      expect(fatal).toBeUndefined()
      console.info(`without stubs, the policy and the opaque origin answer: ${JSON.stringify(attempts)}`)
      expect(Object.keys(attempts ?? {}).sort()).toEqual(['dynamicImport', 'eventSource', 'fetch', 'importScripts', 'indexedDB', 'webSocket', 'xhr'])
      expect(Object.values(attempts ?? {})).not.toContain('allowed')
      await new Promise((r) => setTimeout(r, 500))
      expect(leaked).toEqual([])
      await page.close()
    } finally {
      await served.close()
    }
  })
})
