// `tessera pin`, every part a real process: a host puts values over 1 KiB and
// runs calls whose arguments and results are blobs while a pinning host runs;
// the host and its donor leave; a new host reads every value and result, and
// the pinning host is the only peer there is to serve them. Then the pinning
// host is stopped and started again on the same directory, and a fresh host
// reads them all again, with nothing fetched by the pinning host meanwhile.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { complete, script, tessera, REPO, type Child } from './support/processes.ts'

const ROOM = 'pin-e2e'
const tag = `run-${Date.now()}`
let dir: string
let serve: Child
let pin: Child
let signaling: string
let written: { values: string[]; refs: string[]; blobs: string[] }
let pinPeer: string

const startPin = (): Child => tessera(['pin', '--dir', join(dir, 'pinned'), '--signaling', signaling, '--room', ROOM, '--interval', '1'])

interface PinLine {
  readonly blobs: number
  readonly missing: number
  readonly fetched: number
  readonly served: number
  readonly peersServed: number
}

/** The status lines printed so far, parsed. */
function statusLines(child: Child): PinLine[] {
  return [...child.stdout.matchAll(/^pin: values \d+, blobs (\d+) \([^)]*\), missing (\d+); fetched (\d+), evicted \d+; served (\d+) to (\d+) peers/gm)].map((m) => ({
    blobs: Number(m[1]),
    missing: Number(m[2]),
    fetched: Number(m[3]),
    served: Number(m[4]),
    peersServed: Number(m[5]),
  }))
}

async function statusWhere(child: Child, test: (line: PinLine) => boolean, timeoutMs = 20_000): Promise<PinLine> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = statusLines(child).find(test)
    if (found !== undefined) return found
    if (Date.now() > deadline || child.process.exitCode !== null) throw new Error(`no such status line; stdout:\n${child.stdout}\nstderr:\n${child.stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const expectedValues = (): unknown[] => [1, 2, 3].map((n) => ({ n, tag, pad: `${n}`.repeat(3_000) }))
const expectedResults = (): unknown[] => [1, 2, 3].map((n) => ({ n, wide: `${tag}:${'a'.repeat(2_000)}`.repeat(2).toUpperCase() }))

async function readAsNewHost(): Promise<{ peers: string[]; values: unknown[]; results: unknown[] }> {
  const reader = script(join(REPO, 'packages/host/test/support/pin-reader.ts'), [signaling, ROOM, JSON.stringify(written)])
  const { code, stdout, stderr } = await complete(reader)
  expect(code, stderr).toBe(0)
  return JSON.parse(stdout) as { peers: string[]; values: unknown[]; results: unknown[] }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-pin-'))
  await writeFile(join(dir, 'index.html'), '<title>test page</title>')
  serve = tessera(['serve', '--port', '0', '--static', dir])
  const [, port] = await serve.line(/serving on http:\/\/localhost:(\d+)\//)
  signaling = `ws://127.0.0.1:${port}`
  pin = startPin()
  pinPeer = (await pin.line(/^pinning room "pin-e2e" into .* as peer (k\S+); Ctrl-C stops it$/m))[1] ?? ''
}, 60_000)

afterAll(async () => {
  await pin?.stop()
  await serve?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('tessera pin keeps a room\'s store after everyone leaves', () => {
  it('fetches every blob a host puts and every blob result of its calls, while they are there', async () => {
    const donor = script(join(REPO, 'packages/host/test/support/donor.ts'), [signaling, ROOM])
    await donor.line(/^ready$/m)
    const writer = script(join(REPO, 'packages/host/test/support/pin-writer.ts'), [signaling, ROOM, tag])
    try {
      const [line] = await writer.line(/^\{.*\}$/m, 40_000)
      written = JSON.parse(line) as typeof written
      // Three values, three arguments, three results, all over 1 KiB.
      expect(written.blobs.length).toBeGreaterThanOrEqual(9)
      const pinned = await statusWhere(pin, (s) => s.blobs >= written.blobs.length && s.missing === 0)
      expect(pinned.fetched).toBeGreaterThanOrEqual(written.blobs.length)
    } finally {
      await writer.stop()
      await donor.stop()
    }
  }, 60_000)

  it('a new host reads every value and result, from the pinning host alone', async () => {
    const read = await readAsNewHost()
    expect(read.peers).toEqual([pinPeer])
    expect(read.values).toEqual(expectedValues())
    expect(read.results).toEqual(expectedResults())
    const after = await statusWhere(pin, (s) => s.served >= 6)
    expect(after.peersServed).toBeGreaterThanOrEqual(1)
  }, 60_000)

  it('restarted on the same directory, it serves the same data and fetches nothing', async () => {
    await pin.stop()
    expect(await pin.exited).toBe(0)
    expect(pin.stderr).toContain('SIGTERM: closing')
    const held = statusLines(pin).at(-1)?.blobs
    expect(held).toBeGreaterThanOrEqual(written.blobs.length)
    pin = startPin()
    expect((await pin.line(/as peer (k\S+);/))[1]).toBe(pinPeer)
    const first = await statusWhere(pin, () => true)
    expect(first).toMatchObject({ blobs: held, missing: 0, fetched: 0 })
    const read = await readAsNewHost()
    expect(read.peers).toEqual([pinPeer])
    expect(read.values).toEqual(expectedValues())
    expect(read.results).toEqual(expectedResults())
    const after = await statusWhere(pin, (s) => s.served >= 6)
    expect(after.fetched).toBe(0)
  }, 60_000)
})
