import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { servePage, type ServedPage } from '../support/built-page.ts'
import { launchChromium } from '../support/chromium.ts'
import { startCoturn, type Coturn } from '../support/coturn.ts'
import type { DonatePageApi } from './pages/donate/main.ts'

type PageGlobals = typeof globalThis & { donatePage: DonatePageApi }

const ROOM = 'relay-tab'
let browser: Browser | undefined
let served: ServedPage | undefined
let coturn: Coturn | undefined
let signaling: SignalingServer | undefined
let host: Swarm | undefined

beforeAll(async () => {
  coturn = await startCoturn()
  // The credentials come from the signaling server, as `tessera serve --turn-url --turn-secret` hands them out.
  signaling = await startSignalingServer({ port: 0, turn: { urls: [coturn.url], secret: coturn.secret, ttlSeconds: 600 } })
  served = await servePage(fileURLToPath(new URL('./pages/donate/', import.meta.url)))
  browser = await launchChromium()
})

afterAll(async () => {
  await host?.close()
  await browser?.close()
  await served?.close()
  await signaling?.close()
  await coturn?.stop()
})

describe('TURN in Chromium: a tab donates to a Node host over a relay-only link through coturn', () => {
  it('runs a job through the relay, and both ends selected relay candidates', async () => {
    if (browser === undefined || signaling === undefined || served === undefined || coturn === undefined) throw new Error('not set up')
    const page: Page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    const base = served.url
    await page.goto(`${base}?signaling=${encodeURIComponent(signaling.url)}&room=${ROOM}&workers=1&relay=1`)
    await page.waitForFunction(() => (globalThis as PageGlobals).donatePage !== undefined)
    const tab = await page.evaluate(() => (globalThis as PageGlobals).donatePage.connect())
    host = await connect({
      signaling: signaling.url,
      room: ROOM,
      workers: 0,
      cacheDir: false,
      iceTransportPolicy: 'relay',
      replication: { limits: { heartbeatMs: 300, deadAfterMs: 3_000 }, syncIntervalMs: 500 },
    })
    const deadline = Date.now() + 20_000
    while (!host.peer.mesh.openPeers().map(String).includes(tab) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))

    const triple = host.pure(({ x }: { x: number }) => 3 * x, { name: 'triple', leaseMs: 3_000 })
    const args = Array.from({ length: 20 }, (_, x) => ({ x }))
    expect(await triple.parallel(args)).toEqual(args.map(({ x }) => 3 * x))
    expect((await page.evaluate(() => (globalThis as PageGlobals).donatePage.status())).executed).toBe(20)

    const relayed = { local: 'relay', remote: 'relay', relayProtocol: 'udp' }
    expect(await host.peer.mesh.linkRoute(tab)).toEqual(relayed)
    expect(await page.evaluate((peer) => (globalThis as PageGlobals).donatePage.linkRoute(peer), host.peer.id)).toEqual(relayed)
    // coturn allocated relays for both ends: the tab's credential and the host's, each its own.
    expect(new Set(coturn.allocations()).size).toBeGreaterThanOrEqual(2)
    expect(errors).toEqual([])
  })
})
