import { readFile, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { buildDonatePage } from '@tessera/donate-page'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

/**
 * Answers GET requests with the files under `root` (`/` is `index.html`), with
 * `Access-Control-Allow-Origin: *`: a page on another origin loads the embed
 * as a module script, which needs CORS, and so does its sandbox worker's code.
 */
export function serveDirectory(root: string): (req: IncomingMessage, res: ServerResponse) => void {
  const base = resolve(root)
  return (req, res) => {
    void (async () => {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')
      let file = resolve(base, `.${path}`)
      if (file !== base && !file.startsWith(base + sep)) throw new Error('outside the root')
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html')
      const body = await readFile(file)
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'access-control-allow-origin': '*' }).end(body)
    })().catch(() => {
      if (!res.headersSent) res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found\n')
    })
  }
}

/** Builds the donate page and the embed with their own config, into `outDir` (not `apps/donate/dist`, which `tessera serve` owns). */
export async function buildDonateApp(outDir: string): Promise<void> {
  await buildDonatePage(outDir)
}
