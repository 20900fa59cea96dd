import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { lib0AsciiStrings } from './build/lib0-ascii-strings.ts'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

/**
 * The donate page (`index.html`) and the one-line embed (`tessera-embed.js`),
 * built into `apps/donate/dist/`, which `tessera serve` serves at `/` (see
 * `built-page.ts`). The embed is the `@tessera/client/embed` export.
 *
 * - `base: './'`: every URL is relative, so the embed finds its chunks and its
 *   sandbox worker next to itself when a page on another origin loads it.
 * - `worker.format: 'iife'`: the sandbox worker is one self-contained script,
 *   which the sandbox frame starts from a `blob:` URL with no network access.
 * - `server.cors`: in dev, the sandbox frame (an opaque origin) imports the
 *   worker module from the dev server.
 * - `lib0AsciiStrings`: Yjs's short strings read and written without a
 *   TextDecoder call each (`build/lib0-ascii-strings.ts`; the test and
 *   bench pages take it as `@tessera/donate-page/vite-plugins`).
 */
export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [lib0AsciiStrings()],
  server: { cors: true },
  worker: { format: 'iife' },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: {
        index: here('index.html'),
        'tessera-embed': '@tessera/client/embed',
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'tessera-embed' ? 'tessera-embed.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
})
