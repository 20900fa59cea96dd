/**
 * The one-line embed: a page donates its visitors' spare CPU with
 *
 * ```html
 * <script type="module" src="https://tessera.example/tessera-embed.js" data-room="my-room"></script>
 * ```
 *
 * Attributes: `data-room` (default `default`), `data-workers` (default: one per
 * core, less one), `data-idle-only` (donate only while the tab is visible),
 * `data-signaling` (default: the server the script came from), `data-token`.
 * Task code runs in `SandboxedExecutor` workers, which cannot reach the page.
 * The swarm's documents stay in memory: the embedding page's storage is not ours
 * to fill. The page can reach the handle as `window.tessera.donation`, and hears
 * `tessera:donation` on the script element when it exists.
 */
import { donate, type DonateOptions } from './donate/donate.ts'
import type { Donation } from './donate/donation.ts'

declare global {
  var tessera: { readonly donation: Donation } | undefined
}

/** The `<script>` element that loaded this module (a module script has no `document.currentScript`). */
function ownScript(): HTMLScriptElement | undefined {
  const self = import.meta.url
  return Array.from(document.querySelectorAll<HTMLScriptElement>('script[src]')).find((script) => new URL(script.src, location.href).href === self)
}

/** The signaling server that also served this script: `tessera serve` answers both on one port. */
export function signalingOf(scriptUrl: string): string {
  const url = new URL(scriptUrl)
  return `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`
}

function embedOptions(script: HTMLScriptElement | undefined): DonateOptions {
  const data = script?.dataset ?? {}
  const workers = data['workers'] === undefined ? undefined : Number(data['workers'])
  return {
    signaling: data['signaling'] ?? signalingOf(import.meta.url),
    room: data['room'] ?? 'default',
    database: false,
    idleOnly: data['idleOnly'] !== undefined && data['idleOnly'] !== 'false',
    ...(workers === undefined || !Number.isInteger(workers) || workers < 0 ? {} : { workers }),
    ...(data['token'] === undefined ? {} : { token: data['token'] }),
  }
}

const script = ownScript()
const donation = donate(embedOptions(script))
globalThis.tessera = { donation }
script?.dispatchEvent(new CustomEvent('tessera:donation', { detail: donation }))
