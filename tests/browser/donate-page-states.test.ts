import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { connect, type Swarm, type TaskLog } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { launchChromium } from '../support/chromium.ts'
import { serveDirectory } from '../support/static-server.ts'

// The donate page in each state a visitor meets, at a desktop and a phone
// size, with a screenshot of each kept in test-results/donate-page/ (git-ignored)
// and assertions on what the page says, not on pixels. One tab, one worker.

const ROOM = 'donate-states'
const SHOTS = fileURLToPath(new URL('../../test-results/donate-page/', import.meta.url))
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
const GREEN = 'rgb(217, 240, 223)'
const HOST_OPTIONS = { workers: 0, cacheDir: false, replication: { limits: { heartbeatMs: 300, deadAfterMs: 2_000 }, syncIntervalMs: 1_000 } } as const

let dist = ''
let browser: Browser | undefined
let server: SignalingServer | undefined
let host: Swarm | undefined

beforeAll(async () => {
  dist = inject('donateDist')
  await mkdir(SHOTS, { recursive: true })
  browser = await launchChromium()
  server = await startSignalingServer({ port: 0, httpFallback: serveDirectory(dist) })
  host = await connect({ signaling: server.url, room: ROOM, ...HOST_OPTIONS })
})

afterAll(async () => {
  await host?.close()
  await browser?.close()
  await server?.close()
})

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const text = async (page: Page, selector: string): Promise<string> => ((await page.locator(selector).first().textContent()) ?? '').trim()
const pill = async (page: Page): Promise<{ state: string; text: string; background: string }> =>
  page.locator('#state').evaluate((el) => ({ state: el.getAttribute('data-state') ?? '', text: el.textContent ?? '', background: getComputedStyle(el).backgroundColor }))
/** Where a card's heading is, from the top of the viewport (the page scrolled to its top). */
const headingTop = async (page: Page, id: string): Promise<number> => (await page.locator(`#${id}`).boundingBox())?.y ?? Number.POSITIVE_INFINITY

/** Screenshots of the first screen at both sizes, with `check` run at each. */
async function shoot(page: Page, state: string, check: (size: 'desktop' | 'phone') => Promise<void> = async () => {}): Promise<void> {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(viewport)
    await page.evaluate(() => window.scrollTo(0, 0))
    await check(size)
    await page.screenshot({ path: join(SHOTS, `${state}-${size}.png`) })
  }
  await page.setViewportSize(DESKTOP)
}

// CPU-bound for `ms` milliseconds; says which task it is on the console.
const spin = ({ ms, i }: { ms: number; i: number }): number => {
  console.log(`spinning ${i}`)
  const start = Date.now()
  let x = i
  while (Date.now() - start < ms) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648
  return i
}

// Tasks 3, 11, 19 and 27 of 30 throw.
const picky = ({ i }: { i: number }): number => {
  if (i % 8 === 3) throw new RangeError(`no ${i}`)
  return i
}

describe('the donate page tells the truth, at 1280×800 and on a phone', () => {
  it('idle, donating (what the tab\'s tasks print reaches the submitter), a job with failures, a host that left, a short history, and after stop', async () => {
    if (browser === undefined || server === undefined || host === undefined) throw new Error('not set up')
    const page = await browser.newPage({ viewport: DESKTOP })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${server.httpUrl}/?room=${ROOM}&workers=1&memory=1`)

    // Idle: connected, nothing to run. Not a green "Donating".
    await until('the page lists the host', async () => (await text(page, '#host-count')) === '1 host')
    await until('the page waits for work', async () => (await pill(page)).state === 'idle')
    expect((await pill(page)).text).toBe('Waiting for work: 1 worker ready')
    expect((await pill(page)).background).not.toBe(GREEN)
    await shoot(page, 'idle', async (size) => {
      if (size === 'desktop') {
        // The whole peers card, its rows included, above the fold.
        const card = await page.locator('section.peers').boundingBox()
        expect((card?.y ?? Number.POSITIVE_INFINITY) + (card?.height ?? 0)).toBeLessThanOrEqual(DESKTOP.height)
      }
      // On a phone the first screen shows the jobs, before the controls and the explanation.
      else expect(await headingTop(page, 'jobs-heading')).toBeLessThan(PHONE.height / 2)
    })

    // Donating: a job of slow tasks; never more running here than the one worker.
    const slow = host.pure(spin, { name: 'spin', leaseMs: 5_000 })
    // What the tab's tasks print reaches this host (the submitter), from the tab's peer.
    const logged: TaskLog[] = []
    const job = slow.parallel(Array.from({ length: 16 }, (_, i) => ({ ms: 300, i })), { onLog: (line) => logged.push(line) })
    await until('the page donates', async () => (await pill(page)).text === 'Donating')
    expect((await pill(page)).background).toBe(GREEN)
    let mostRunning = 0
    const sampler = setInterval(() => void text(page, '#tasks-running').then((t) => (mostRunning = Math.max(mostRunning, Number(t)))), 100)
    await shoot(page, 'donating', async (size) => {
      expect(await page.locator('#jobs-list li').count()).toBe(1)
      expect(await text(page, '#jobs-list li')).toMatch(/^spin\s*\d+ \/ 16 done · running$/)
      const { y } = (await page.locator('#jobs-list progress').boundingBox()) ?? { y: Number.POSITIVE_INFINITY }
      // The job's progress bar is on the first screen at both sizes.
      expect(y).toBeLessThan(size === 'phone' ? PHONE.height : DESKTOP.height)
    })
    expect(await job).toHaveLength(16)
    clearInterval(sampler)
    expect(mostRunning).toBe(1)
    expect(logged.map((line) => line.text).sort()).toEqual(Array.from({ length: 16 }, (_, i) => `spinning ${i}`).sort())
    expect(new Set(logged.map((line) => line.peer))).not.toContain(host.peer.id)

    // A job where 4 of 30 tasks throw: the page says so, also after the tab lets the job's document go (a second later).
    const failing = host.pure(picky, { name: 'picky' })
    const settled = await failing.parallel(Array.from({ length: 30 }, (_, i) => ({ i })), { settle: true })
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(4)
    const pickyItem = page.locator('#jobs-list li', { hasText: 'picky' })
    await until('the page shows the failures', async () => ((await pickyItem.textContent()) ?? '').includes('4 failed'))
    await new Promise((r) => setTimeout(r, 2_500))
    expect(await pickyItem.textContent()).toMatch(/26 \/ 30 done · 4 failed · done with failures/)
    // Nothing runs any more: throughput falls back to 0, and the pill to waiting.
    await until('throughput decays to 0', async () => (await text(page, '#throughput')) === '0', 15_000)
    await until('the page waits for work again', async () => (await pill(page)).state === 'idle')
    await shoot(page, 'failures', async () => {
      expect(await pickyItem.textContent()).toContain('4 failed')
    })

    // A host that leaves drops out of the peers card (with its load).
    const visitor = await connect({ signaling: server.url, room: ROOM, ...HOST_OPTIONS })
    await until('the page lists the second host', async () => (await text(page, '#host-count')) === '2 hosts')
    const leftAt = Date.now()
    await visitor.close()
    await until('the page drops the host that left', async () => (await text(page, '#host-count')) === '1 host', 10_000)
    expect(Date.now() - leftAt).toBeLessThan(5_000)
    expect(await page.locator('#peers-list tr').count()).toBe(2)
    await shoot(page, 'host-left', async () => {
      expect(await text(page, '#host-count')).toBe('1 host')
    })

    // A short history: open jobs, then the 5 newest finished ones; older ones drop off the card.
    const submitter = host
    await Promise.all(Array.from({ length: 5 }, (_, k) => submitter.pure(({ i }: { i: number }) => i + 1, { name: `history-${k}` }).parallel([{ i: 1 }])))
    await until('the card lists the five new jobs as done', async () => (await page.locator('#jobs-list li', { hasText: /history-\d.*· done$/ }).count()) === 5)
    expect(await page.locator('#jobs-list li').count()).toBe(5)
    expect(await page.locator('#jobs-list li', { hasText: 'spin' }).count()).toBe(0)

    // Stop and leave: the pill and the jobs card say so, the controls look disabled, and nothing reads as live.
    const stop = page.getByRole('button', { name: 'Stop and leave' })
    const enabledLook = await stop.evaluate((el) => getComputedStyle(el).color)
    await stop.click()
    await until('the page says stopped', async () => (await pill(page)).state === 'left')
    await until('the jobs card says this tab left', () => page.locator('#jobs-left').isVisible())
    expect((await pill(page)).text).toMatch(/^Stopped: you left the swarm/)
    await expect(stop.isDisabled()).resolves.toBe(true)
    const disabledLook = await stop.evaluate((el) => ({ color: getComputedStyle(el).color, border: getComputedStyle(el).borderStyle }))
    expect(disabledLook.color).not.toBe(enabledLook)
    expect(disabledLook.border).toBe('dashed')
    expect(await page.locator('#jobs-list li').count()).toBeGreaterThanOrEqual(2)
    expect(await text(page, '#throughput')).toBe('0')
    expect(await text(page, '#tasks-running')).toBe('0')
    await shoot(page, 'stopped', async () => {
      expect(await page.locator('#jobs-left').isVisible()).toBe(true)
    })
    expect(errors).toEqual([])
    await page.close()
  })

  it('not connected: a signaling server nobody answers is never shown green', async () => {
    if (browser === undefined || server === undefined) throw new Error('not set up')
    const page = await browser.newPage({ viewport: DESKTOP })
    // The page itself comes from the test's server; the signaling address is a port nobody listens on.
    await page.goto(`${server.httpUrl}/?room=${ROOM}&workers=1&memory=1&signaling=ws://127.0.0.1:9`)
    await until('the page says it is not connected', async () => ['offline', 'failed'].includes((await pill(page)).state))
    const shown = await pill(page)
    expect(shown.text).toMatch(/^(Not connected|Could not connect)/)
    expect(shown.background).not.toBe(GREEN)
    await shoot(page, 'not-connected', async () => {
      expect((await pill(page)).text).toMatch(/^(Not connected|Could not connect)/)
    })
    await page.close()
  })
})
