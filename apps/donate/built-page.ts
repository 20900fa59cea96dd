import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The donate page as Node sees it: a directory of built files. `tessera serve`
 * asks for it by package name and serves whatever comes back, so nothing
 * outside this package knows where the page's sources live or how they build.
 */

/** Where `npm run build` (and `ensureDonatePage`) writes the page: `apps/donate/dist`. */
export const DONATE_PAGE_DIST = fileURLToPath(new URL('./dist/', import.meta.url))
const VITE_CONFIG = fileURLToPath(new URL('./vite.config.ts', import.meta.url))

export type DonatePageState = { readonly kind: 'built'; readonly dir: string } | { readonly kind: 'missing'; readonly reason: string }

/**
 * Everything the page is built from: this package and the workspace packages
 * it bundles. A built page older than these would serve tabs code that no
 * longer speaks what the hosts write.
 */
const SOURCE_DIRS = ['.', '../../packages/client/src', '../../packages/runtime/src', '../../packages/core/src', '../../packages/mesh/src', '../../signaling/src'].map((dir) =>
  fileURLToPath(new URL(dir, import.meta.url)),
)
const STAMP_FILE = '.source-stamp'

/** A digest of every source file's path, size and modification time (not its bytes: this runs on every serve). */
export function sourceStamp(): string {
  const hash = createHash('sha256')
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) {
        const stat = statSync(path)
        hash.update(`${relative(SOURCE_DIRS[0] as string, path)}\0${stat.size}\0${stat.mtimeMs}\n`)
      }
    }
  }
  for (const dir of SOURCE_DIRS) if (existsSync(dir)) walk(dir)
  return hash.digest('hex')
}

/** Builds the page and the embed with Vite into `outDir` (default `DONATE_PAGE_DIST`), emptying it first. */
export async function buildDonatePage(outDir: string = DONATE_PAGE_DIST): Promise<void> {
  const stamp = sourceStamp()
  // Loaded only when a build is needed: serving an already built page needs no Vite.
  const { build } = await import('vite')
  await build({ configFile: VITE_CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  writeFileSync(join(outDir, STAMP_FILE), stamp)
}

function builtFrom(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, STAMP_FILE), 'utf8')
  } catch {
    return undefined
  }
}

/** The built page, built first when `dist/` has none yet, or one built from older sources. */
export async function ensureDonatePage(log: (line: string) => void): Promise<DonatePageState> {
  const index = join(DONATE_PAGE_DIST, 'index.html')
  if (existsSync(index) && builtFrom(DONATE_PAGE_DIST) === sourceStamp()) return { kind: 'built', dir: DONATE_PAGE_DIST }
  log(existsSync(index) ? 'rebuilding the donate page (its sources changed)...' : 'building the donate page (@tessera/donate-page, first run only)...')
  await buildDonatePage()
  if (!existsSync(index)) return { kind: 'missing', reason: `the build wrote no ${index}` }
  return { kind: 'built', dir: DONATE_PAGE_DIST }
}
