import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startNodePeer, type MeshPeer } from '@tessera/mesh/node'
import { fillLargeDoc, largeDocFingerprint } from '@tessera/mesh/testing'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { servePage, type ServedPage } from '../support/built-page.ts'
import { launchChromium } from '../support/chromium.ts'
import type { MeshPageApi } from './pages/mesh/main.ts'

type PageGlobals = typeof globalThis & { meshPage: MeshPageApi }

let browser: Browser | undefined
let served: ServedPage | undefined
let baseUrl = ''
let signaling: SignalingServer | undefined
let nodePeers: MeshPeer[] = []
let pages: Page[] = []

beforeAll(async () => {
  served = await servePage(fileURLToPath(new URL('./pages/mesh/', import.meta.url)))
  baseUrl = served.url
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await served?.close()
})

afterEach(async () => {
  for (const page of pages) await page.close()
  pages = []
  await Promise.all(nodePeers.map((p) => p.close()))
  nodePeers = []
  await signaling?.close()
  signaling = undefined
})

async function openTab(room: string, database: string | false = false): Promise<{ page: Page; id: string; errors: string[] }> {
  if (browser === undefined || signaling === undefined) throw new Error('not set up')
  const page = await browser.newPage()
  pages.push(page)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(baseUrl)
  await page.waitForFunction(() => (globalThis as PageGlobals).meshPage !== undefined)
  const id = await page.evaluate(
    (options) => (globalThis as PageGlobals).meshPage.start(options),
    { signaling: signaling.url, room, database },
  )
  return { page, id, errors }
}

async function nodePeer(room: string): Promise<MeshPeer> {
  if (signaling === undefined) throw new Error('no signaling')
  const peer = await startNodePeer({
    signaling: signaling.url,
    room,
    dir: false,
    limits: { heartbeatMs: 300, deadAfterMs: 2_000 },
    maintainMs: 300,
    syncIntervalMs: 1_000,
  })
  nodePeers.push(peer)
  return peer
}

const linkedTo = (page: Page, id: string) =>
  page.waitForFunction((other) => (globalThis as PageGlobals).meshPage.openPeers().includes(other), id, { timeout: 20_000 })

describe('the mesh in Chromium (real tabs, real signaling, real WebRTC over loopback)', () => {
  it('Chromium ↔ Chromium: two tabs replicate documents both ways and see each other in presence', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const a = await openTab('tabs')
    const b = await openTab('tabs')
    await linkedTo(a.page, b.id)
    await a.page.evaluate(() => (globalThis as PageGlobals).meshPage.set('swarm', 'from', 'a'))
    await b.page.evaluate(() => (globalThis as PageGlobals).meshPage.set('tessera/job/x', 'from', 'b'))
    await a.page.evaluate(() => (globalThis as PageGlobals).meshPage.notes('tessera/job/x'))
    await b.page.waitForFunction(async () => (await (globalThis as PageGlobals).meshPage.notes('swarm')).from === 'a')
    await a.page.waitForFunction(async () => (await (globalThis as PageGlobals).meshPage.notes('tessera/job/x')).from === 'b')
    await a.page.waitForFunction(() => (globalThis as PageGlobals).meshPage.presence().length === 2)
    const presence = await a.page.evaluate(() => (globalThis as PageGlobals).meshPage.presence())
    expect(presence.map((p) => p.peer).sort()).toEqual([a.id, b.id].sort())
    expect(presence.every((p) => p.kind === 'browser' && p.workers === 2 && p.version === '0.1.0')).toBe(true)
    expect([...a.errors, ...b.errors]).toEqual([])
  })

  it('Chromium ↔ Node: a tab and a Node peer replicate both ways', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const node = await nodePeer('mixed')
    const tab = await openTab('mixed')
    await linkedTo(tab.page, node.id)
    node.swarm.doc.getMap<string>('notes').set('from', 'node')
    await tab.page.evaluate(() => (globalThis as PageGlobals).meshPage.set('swarm', 'reply', 'tab'))
    await tab.page.waitForFunction(async () => (await (globalThis as PageGlobals).meshPage.notes('swarm')).from === 'node')
    const deadline = Date.now() + 10_000
    while (node.swarm.doc.getMap('notes').get('reply') !== 'tab' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
    expect(node.swarm.doc.getMap('notes').get('reply')).toBe('tab')
    const kinds = node.presence.list().map((p) => p.kind).sort()
    expect(kinds).toEqual(['browser', 'node'])
    expect(tab.errors).toEqual([])
  })

  it('late joiner: a tab receives a 50 MB document from a Node peer', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const node = await nodePeer('late-node')
    const source = await node.openDoc('tessera/job/large')
    fillLargeDoc(source)
    const started = Date.now()
    const tab = await openTab('late-node')
    await tab.page.evaluate(() => (globalThis as PageGlobals).meshPage.fingerprint('tessera/job/large'))
    await tab.page.waitForFunction(
      async (want) => JSON.stringify(await (globalThis as PageGlobals).meshPage.fingerprint('tessera/job/large')) === want,
      JSON.stringify(largeDocFingerprint(source)),
      { timeout: 90_000, polling: 200 },
    )
    console.info(`late join Node→Chromium: 50 MB document in ${Date.now() - started} ms (tab opened and joined included)`)
    expect(tab.errors).toEqual([])
  })

  it('late joiner: a tab receives a 50 MB document from another tab', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const writer = await openTab('late-tabs')
    await writer.page.evaluate(() => (globalThis as PageGlobals).meshPage.fillLarge('tessera/job/large'))
    const want = await writer.page.evaluate(() => (globalThis as PageGlobals).meshPage.fingerprint('tessera/job/large'))
    const started = Date.now()
    const joiner = await openTab('late-tabs')
    await joiner.page.evaluate(() => (globalThis as PageGlobals).meshPage.fingerprint('tessera/job/large'))
    await joiner.page.waitForFunction(
      async (expected) => JSON.stringify(await (globalThis as PageGlobals).meshPage.fingerprint('tessera/job/large')) === expected,
      JSON.stringify(want),
      { timeout: 90_000, polling: 200 },
    )
    console.info(`late join Chromium→Chromium: 50 MB document in ${Date.now() - started} ms (tab opened and joined included)`)
    expect([...writer.errors, ...joiner.errors]).toEqual([])
  })

  it('a reloaded tab rejoins with its data from IndexedDB', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const database = `tessera-reload-${Date.now()}`
    const tab = await openTab('reload', database)
    const other = await openTab('reload')
    await linkedTo(tab.page, other.id)
    await other.page.evaluate(() => (globalThis as PageGlobals).meshPage.set('swarm', 'from-other', 'x'))
    await tab.page.evaluate(() => (globalThis as PageGlobals).meshPage.set('swarm', 'mine', 'y'))
    await tab.page.waitForFunction(async () => (await (globalThis as PageGlobals).meshPage.notes('swarm'))['from-other'] === 'x')
    await tab.page.evaluate(() => (globalThis as PageGlobals).meshPage.flush())
    await other.page.close()
    pages = pages.filter((p) => p !== other.page)
    await tab.page.reload()
    await tab.page.waitForFunction(() => (globalThis as PageGlobals).meshPage !== undefined)
    const id = await tab.page.evaluate(
      (options) => (globalThis as PageGlobals).meshPage.start(options),
      { signaling: signaling.url, room: 'reload', database },
    )
    // No other peer is online: everything comes from this tab's own IndexedDB.
    const notes = await tab.page.evaluate(() => (globalThis as PageGlobals).meshPage.notes('swarm'))
    expect(notes).toEqual({ 'from-other': 'x', mine: 'y' })
    expect(await tab.page.evaluate(() => (globalThis as PageGlobals).meshPage.openPeers())).toEqual([])
    // And it rejoins the swarm: a new tab gets the data from it.
    const late = await openTab('reload')
    await linkedTo(late.page, id)
    await late.page.waitForFunction(async () => (await (globalThis as PageGlobals).meshPage.notes('swarm')).mine === 'y')
  })
})
