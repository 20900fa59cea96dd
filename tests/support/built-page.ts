import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { lib0AsciiStrings } from '@tessera/donate-page/vite-plugins'
import { serveDirectory } from './static-server.ts'

/** A test page, built and served on a free loopback port. */
export interface ServedPage {
  /** Ends with `/`: the page itself. */
  readonly url: string
  /** Where the built files are, while served (with `.map` files beside them when asked for). */
  readonly dir: string
  close(): Promise<void>
}

export interface ServePageOptions {
  /** Several pages under the root, each served at `<url><page>/`. */
  readonly pages?: readonly string[]
  /** Source maps beside the built files, for tools that map what ran back to its source. */
  readonly sourcemap?: boolean
}

/**
 * Builds the page at `root` (its `index.html` and everything it imports, the
 * workspace packages through node_modules), or each of `pages` under it, and
 * serves the files.
 *
 * Built rather than served by Vite's dev server: there, every module of the
 * page is one request, and every Web Worker a page starts fetched its own
 * module graph again: about 1.2 s per worker start in Chromium on the CI
 * machine, 23 of the executor contract's 30 s (measured 2026-12-02). Built, a
 * worker is one file. The build (about 1.5 s) is the same code a deployment
 * ships, so the tests see what users run.
 */
export async function servePage(root: string, { pages, sourcemap = false }: ServePageOptions = {}): Promise<ServedPage> {
  const outDir = await mkdtemp(join(tmpdir(), 'tessera-test-page-'))
  try {
    await build({
      root,
      configFile: false,
      logLevel: 'error',
      // Unminified, so a stack trace in a failing test names real functions.
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2022',
        minify: false,
        modulePreload: false,
        reportCompressedSize: false,
        sourcemap,
        ...(pages === undefined ? {} : { rollupOptions: { input: pages.map((page) => join(root, page, 'index.html')) } }),
      },
      // As the donate page ships: the sandbox worker must be one self-contained
      // script, which the sandbox frame starts from a blob: URL; lib0 with its ASCII string paths.
      worker: { format: 'iife' },
      plugins: [lib0AsciiStrings()],
    })
  } catch (error) {
    await rm(outDir, { recursive: true, force: true })
    throw error
  }
  const server = createServer(serveDirectory(outDir))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    dir: outDir,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(outDir, { recursive: true, force: true })
    },
  }
}
