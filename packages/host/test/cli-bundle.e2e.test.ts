/**
 * The `tessera` bin loads the CLI as one esbuild bundle (`bin/cli-bundle.mjs`):
 * built once, reused while its sources are unchanged, built again when one
 * changes, and lending its own Tessera modules to job modules.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO, closedPort, complete, tessera } from './support/processes.ts'

// Inside the repository's node_modules, so the bundle resolves the packages it leaves out.
const cache = mkdtempSync(join(REPO, 'node_modules', '.cache', 'tessera-cli-test-'))
afterAll(() => rmSync(cache, { recursive: true, force: true }))

interface Current {
  readonly builder: string
  readonly bundle: string
  readonly thread: string
  readonly inputs: Array<[string, number, number]>
}
const current = (): Current => JSON.parse(readFileSync(join(cache, 'current.json'), 'utf8')) as Current

describe('the tessera bin', () => {
  it('builds the bundle once, reuses it, and builds it again when a source file it came from changes', async () => {
    const first = await complete(tessera(['--version'], { TESSERA_CLI_CACHE: cache, TESSERA_DEBUG: '1' }))
    expect(first).toMatchObject({ code: 0, stderr: '' })
    const built = current()
    expect(built.inputs.map(([file]) => file)).toContain(join(REPO, 'packages/host/src/cli/main.ts'))
    expect(built.inputs.some(([file]) => file.startsWith(join(REPO, 'packages/core/src/')))).toBe(true)
    // A workspace's changed `exports` would resolve differently: its package.json counts too.
    expect(built.inputs.map(([file]) => file)).toContain(join(REPO, 'packages/core/package.json'))
    // The worker threads start from a bundle of their own, which the CLI's names.
    expect(built.inputs.map(([file]) => file)).toContain(join(REPO, 'packages/host/src/thread-worker.ts'))
    expect(readdirSync(cache)).toContain(built.thread)
    expect(readFileSync(join(cache, built.bundle), 'utf8')).toContain(pathToFileURL(join(cache, built.thread)).href)
    // So does the lib0 patch, which shapes the bundle without being in it.
    expect(built.inputs.map(([file]) => file)).toContain(join(REPO, 'apps/donate/build/lib0-ascii-patch.mjs'))
    // Yjs and lib0 are inside, lib0 with its ASCII string paths (`@tessera/donate-page/lib0-ascii-patch`).
    expect(built.inputs.map(([file]) => file)).toContain(join(REPO, 'node_modules/lib0/decoding.js'))
    expect(readFileSync(join(cache, built.bundle), 'utf8')).toMatch(/_readVarStringAsciiFirst[\s\S]*_writeVarStringAsciiFirst|_writeVarStringAsciiFirst[\s\S]*_readVarStringAsciiFirst/)
    const bundleAt = statSync(join(cache, built.bundle)).mtimeMs

    const again = await complete(tessera(['--version'], { TESSERA_CLI_CACHE: cache, TESSERA_DEBUG: '1' }))
    expect(again).toEqual(first)
    expect(current()).toEqual(built)
    expect(statSync(join(cache, built.bundle)).mtimeMs).toBe(bundleAt)

    // As if main.ts had been edited since: its recorded size no longer matches.
    const edited = { ...built, inputs: built.inputs.map(([file, mtime, size]) => [file, mtime, file.endsWith('/cli/main.ts') ? size + 1 : size]) }
    writeFileSync(join(cache, 'current.json'), JSON.stringify(edited))
    const rebuilt = await complete(tessera(['--version'], { TESSERA_CLI_CACHE: cache, TESSERA_DEBUG: '1' }))
    expect(rebuilt).toEqual(first)
    expect(current()).toEqual(built)
  })

  it('prints the same from the bundle as from the sources', async () => {
    const bundled = await complete(tessera(['run', '--help'], { TESSERA_CLI_CACHE: cache }))
    const fromSources = await complete(tessera(['run', '--help'], { TESSERA_CLI_FROM_SOURCE: '1' }))
    expect(bundled.code).toBe(0)
    expect(bundled).toEqual(fromSources)
  })

  it("gives a job module the CLI's own @tessera/core, and names what a job may import", async () => {
    const port = await closedPort()
    const run = (job: string, env: Record<string, string>) =>
      complete(tessera(['run', `packages/host/test/fixtures/${job}`, '--signaling', `ws://127.0.0.1:${port}`], env))
    expect((await run('shared-modules-job.ts', { TESSERA_CLI_CACHE: cache })).stderr).toMatch(/@tessera\/core is the CLI's own\n$/)
    expect((await run('shared-modules-job.ts', { TESSERA_CLI_FROM_SOURCE: '1' })).stderr).toMatch(/@tessera\/core is read from the sources\n$/)
    const browser = await run('browser-import-job.ts', { TESSERA_CLI_CACHE: cache })
    expect(browser.code).toBe(1)
    expect(browser.stderr).toMatch(/^tessera run: cannot bundle .*browser-import-job\.ts:2:\d+: a job module cannot import @tessera\/client here; it can import @tessera\/core, @tessera\/host, /)
  })
})
