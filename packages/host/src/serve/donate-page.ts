import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

/** The repository's donate page app, which `tessera serve` serves by default. */
export const DONATE_APP_DIR = fileURLToPath(new URL('../../../../apps/donate/', import.meta.url))
export const DONATE_DIST_DIR = join(DONATE_APP_DIR, 'dist')
const DONATE_VITE_CONFIG = join(DONATE_APP_DIR, 'vite.config.ts')

export type DonatePageState = { readonly kind: 'built'; readonly dir: string } | { readonly kind: 'missing'; readonly reason: string }

/**
 * The built donate page: `apps/donate/dist`, built first with Vite (a
 * devDependency of the repository) when it is not there yet.
 */
export async function ensureDonatePage(log: (line: string) => void): Promise<DonatePageState> {
  if (existsSync(join(DONATE_DIST_DIR, 'index.html'))) return { kind: 'built', dir: DONATE_DIST_DIR }
  if (!existsSync(DONATE_VITE_CONFIG)) return { kind: 'missing', reason: `${DONATE_VITE_CONFIG} does not exist` }
  log('building the donate page (apps/donate, first run only)...')
  const { build } = await import('vite')
  await build({ configFile: DONATE_VITE_CONFIG, logLevel: 'warn' })
  if (!existsSync(join(DONATE_DIST_DIR, 'index.html'))) return { kind: 'missing', reason: `the build wrote no ${join(DONATE_DIST_DIR, 'index.html')}` }
  return { kind: 'built', dir: DONATE_DIST_DIR }
}
