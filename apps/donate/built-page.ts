import { existsSync } from 'node:fs'
import { join } from 'node:path'
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

/** Builds the page and the embed with Vite into `outDir` (default `DONATE_PAGE_DIST`), emptying it first. */
export async function buildDonatePage(outDir: string = DONATE_PAGE_DIST): Promise<void> {
  // Loaded only when a build is needed: serving an already built page needs no Vite.
  const { build } = await import('vite')
  await build({ configFile: VITE_CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
}

/** The built page, built first when `dist/` has no `index.html` yet. */
export async function ensureDonatePage(log: (line: string) => void): Promise<DonatePageState> {
  const index = join(DONATE_PAGE_DIST, 'index.html')
  if (existsSync(index)) return { kind: 'built', dir: DONATE_PAGE_DIST }
  log('building the donate page (@tessera/donate-page, first run only)...')
  await buildDonatePage()
  if (!existsSync(index)) return { kind: 'missing', reason: `the build wrote no ${index}` }
  return { kind: 'built', dir: DONATE_PAGE_DIST }
}
