import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { launchChromium } from '../support/chromium.ts'
import { serveDirectory } from '../support/static-server.ts'

// The donate page as a visitor sees it, served with signaling on one port as
// `tessera serve` does, with a Node host (no workers of its own) running a job.

const ROOM = 'donate-page'
const SCREENSHOT = fileURLToPath(new URL('../artifacts/donate-page.png', import.meta.url))

let dist = ''
let browser: Browser | undefined
let server: SignalingServer | undefined
let host: Swarm | undefined

beforeAll(async () => {
  dist = inject('donateDist')
  browser = await launchChromium()
  server = await startSignalingServer({ port: 0, httpFallback: serveDirectory(dist) })
  host = await connect({
    signaling: server.url,
    room: ROOM,
    workers: 0,
    cacheDir: false,
    replication: { limits: { heartbeatMs: 300, deadAfterMs: 2_000 }, syncIntervalMs: 1_000 },
  })
})

afterAll(async () => {
  await host?.close()
  await browser?.close()
  await server?.close()
})

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const count = async (page: Page, id: string): Promise<number> => Number(((await page.locator(`#${id}`).textContent()) ?? '').replace(/[^0-9.]/g, '') || 'NaN')

/** Workers the host sees the tab offer, through presence. */
const tabWorkers = (): number => host?.peer.presence.list().find((p) => p.kind === 'browser')?.workers ?? -1

// CPU-bound for about `ms` milliseconds: long enough that pausing is seen between tasks.
const spin = ({ ms, i }: { ms: number; i: number }): number => {
  const start = Date.now()
  let x = i
  while (Date.now() - start < ms) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648
  return i
}

/** Counters that must stop moving: read, wait, read again. */
async function stableCount(page: Page, id: string, quietMs: number): Promise<number> {
  let last = await count(page, id)
  await until(`#${id} stops moving`, async () => {
    await new Promise((r) => setTimeout(r, quietMs))
    const now = await count(page, id)
    const still = now === last
    last = now
    return still
  }, 30_000)
  return last
}

describe('the donate page', () => {
  it('donates, shows the room, the job and the counters, and its controls work', async () => {
    if (browser === undefined || server === undefined || host === undefined) throw new Error('not set up')
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    // No ?signaling=: the page connects to the server it came from.
    await page.goto(`${server.httpUrl}/?room=${ROOM}&workers=1`)

    // Every control has an accessible name, and is found by it.
    const slider = page.getByRole('slider', { name: 'Workers in this tab' })
    const visibleOnly = page.getByRole('checkbox', { name: 'Donate only while this tab is visible' })
    const pause = page.getByRole('button', { name: 'Pause' })
    const resume = page.getByRole('button', { name: 'Resume' })
    const stop = page.getByRole('button', { name: 'Stop and leave' })
    await expect(page.getByLabel('Workers in this tab').count()).resolves.toBe(1)
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('input, button, select, textarea, progress'))
        .filter((el) => {
          const labelled = el instanceof HTMLInputElement && el.labels !== null && el.labels.length > 0
          const aria = el.getAttribute('aria-label') ?? el.getAttribute('aria-labelledby')
          const text = el instanceof HTMLButtonElement ? el.textContent?.trim() : ''
          return !labelled && !aria && !text
        })
        .map((el) => el.outerHTML),
    )
    expect(unnamed).toEqual([])

    // Connected with nothing to run: waiting for work, not "Donating".
    await until('the page waits for work', async () => (await page.locator('#state').textContent()) === 'Waiting for work: 1 worker ready')
    await until('the host sees the tab with one worker', () => tabWorkers() === 1)
    await until('the page lists the host', async () => (await page.locator('#host-count').textContent()) === '1 host')
    expect(await page.locator('#peer-count').textContent()).toBe('2')
    expect(await page.locator('#tab-count').textContent()).toBe('1 tab')

    const fn = host.pure(spin, { name: 'spin', leaseMs: 5_000 })
    const args = Array.from({ length: 240 }, (_, i) => ({ ms: 40, i }))
    const job = fn.parallel(args)

    // The counters move and the job's progress bar appears.
    await until('the tab runs tasks', async () => (await count(page, 'tasks-run')) > 0)
    await until('the page donates', async () => (await page.locator('#state').textContent()) === 'Donating')
    await expect(page.locator('#jobs-list progress').count()).resolves.toBe(1)
    await until('throughput shows', async () => (await count(page, 'throughput')) > 0)

    // The slider changes the workers the swarm sees.
    await slider.fill('2')
    await until('the host sees two workers', () => tabWorkers() === 2)

    // Pause: what the tab holds finishes, then the counter stops, and the swarm sees no workers.
    await pause.click()
    await until('the page says paused', async () => ((await page.locator('#state').textContent()) ?? '').startsWith('Paused'))
    await until('the host sees no workers', () => tabWorkers() === 0)
    const paused = await stableCount(page, 'tasks-run', 1_500)
    await new Promise((r) => setTimeout(r, 2_000))
    expect(await count(page, 'tasks-run')).toBe(paused)
    expect(paused).toBeLessThan(args.length)
    await expect(resume.isEnabled()).resolves.toBe(true)
    await expect(pause.isDisabled()).resolves.toBe(true)

    // Resume: the counter moves again.
    await resume.click()
    await until('the tab runs tasks again', async () => (await count(page, 'tasks-run')) > paused)
    await until('the host sees two workers again', () => tabWorkers() === 2)

    // Only while visible: a hidden tab waits, a visible one donates.
    await visibleOnly.check()
    const setHidden = (hidden: boolean): Promise<void> =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') })
        document.dispatchEvent(new Event('visibilitychange'))
      }, hidden)
    await setHidden(true)
    await until('the page waits while hidden', async () => ((await page.locator('#state').textContent()) ?? '').startsWith('Waiting'))
    await until('the host sees no workers while hidden', () => tabWorkers() === 0)
    await setHidden(false)
    await until('the page donates when visible', async () => (await page.locator('#state').textContent()) === 'Donating')

    // 0 workers: connected, donating nothing.
    await slider.fill('0')
    await until('the host sees 0 workers, and the tab still there', () => tabWorkers() === 0)
    await slider.fill('1')
    await until('the host sees one worker', () => tabWorkers() === 1)

    expect(await job).toEqual(args.map(({ i }) => i))
    // Only this tab had workers, so it ran every task (a straggler's backup may make it more).
    await until('the counter shows every task', async () => (await count(page, 'tasks-run')) >= args.length)
    await until('the job shows as done', async () => ((await page.locator('#jobs-list li').first().textContent()) ?? '').includes(`${args.length} / ${args.length} done`))
    await until('the cache counts the results', async () => (await count(page, 'cache-entries')) >= args.length)

    // A rerun is answered by the cache, and the hit rate says so.
    await fn.parallel(args)
    // Of the host's 480 lookups, the second 240 were hits (published in presence about once a second).
    await until('the hit rate shows 50%', async () => (await page.locator('#cache-hit-rate').textContent()) === '50%')

    await mkdir(join(SCREENSHOT, '..'), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })

    // Stop: the tab leaves the room.
    await stop.click()
    await until('the page says stopped', async () => ((await page.locator('#state').textContent()) ?? '').startsWith('Stopped'))
    await until('the host no longer sees the tab', () => tabWorkers() === -1, 30_000)
    await expect(slider.isDisabled()).resolves.toBe(true)
    expect(errors).toEqual([])
    await page.close()
  })
})
