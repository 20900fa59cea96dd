import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
}

export function mimeTypeOf(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Vite puts content-hashed files under `assets/`: their name changes with their
 * bytes, so browsers may keep them for good. Everything else (index.html, the
 * embed script with its stable name) is revalidated on every load.
 */
export function cacheControlOf(urlPath: string): string {
  return /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(urlPath) ? 'public, max-age=31536000, immutable' : 'no-cache'
}

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => void

/**
 * Serves the files under `root`: `/` and directories as their `index.html`,
 * query strings ignored, GET and HEAD only, and nothing outside `root` (a path
 * that climbs out, even percent-encoded, is a 404 like any missing file).
 */
export function staticFiles(root: string): StaticHandler {
  const base = resolve(root)
  return (req, res) => {
    void serve(base, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('internal error\n')
    })
  }
}

async function serve(base: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n')
    return
  }
  const urlPath = decodedPath(req.url ?? '/')
  const file = urlPath === undefined ? undefined : await findFile(base, urlPath)
  if (file === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' }).end('not found\n')
    return
  }
  res.writeHead(200, {
    'content-type': mimeTypeOf(file.path),
    'content-length': file.size,
    'cache-control': cacheControlOf(urlPath ?? '/'),
    'x-content-type-options': 'nosniff',
    // The embed is a module script other sites load (`<script type="module" src=".../tessera-embed.js">`),
    // and module scripts are fetched with CORS; its sandboxed frame has an opaque origin too.
    'access-control-allow-origin': '*',
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file.path)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}

function decodedPath(url: string): string | undefined {
  const raw = url.split(/[?#]/, 1)[0] ?? '/'
  try {
    const path = decodeURIComponent(raw)
    return path.includes('\0') ? undefined : path
  } catch {
    return undefined
  }
}

async function findFile(base: string, urlPath: string): Promise<{ path: string; size: number } | undefined> {
  let path = resolve(base, `.${urlPath.startsWith('/') ? urlPath : `/${urlPath}`}`)
  if (path !== base && !path.startsWith(base + sep)) return undefined
  let info = await stat(path).catch(() => undefined)
  if (info?.isDirectory() === true) {
    path = join(path, 'index.html')
    info = await stat(path).catch(() => undefined)
  }
  return info?.isFile() === true ? { path, size: info.size } : undefined
}
