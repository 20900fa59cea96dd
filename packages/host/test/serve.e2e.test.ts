import { request } from 'node:http'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startTesseraServer, type TesseraServer } from '../src/serve/tessera-server.ts'

let root: string
let server: TesseraServer

beforeAll(async () => {
  const parent = await mkdtemp(join(tmpdir(), 'tessera-static-'))
  root = join(parent, 'site')
  await mkdir(join(root, 'assets'), { recursive: true })
  await mkdir(join(root, 'docs'), { recursive: true })
  await writeFile(join(parent, 'secret.txt'), 'outside the served directory')
  const files: Record<string, string> = {
    'index.html': '<!doctype html><title>donate</title>',
    'tessera-embed.js': 'export {}',
    'worker.mjs': 'export {}',
    'style.css': 'body{}',
    'data.json': '{}',
    'icon.svg': '<svg/>',
    'logo.png': 'png',
    'module.wasm': 'wasm',
    'assets/index-Bx8kf3Qa.js': 'export {}',
    'docs/index.html': '<p>docs</p>',
  }
  for (const [name, body] of Object.entries(files)) await writeFile(join(root, name), body)
  server = await startTesseraServer({ port: 0, staticDir: root })
})

afterAll(async () => {
  await server?.close()
  await rm(join(root, '..'), { recursive: true, force: true })
})

/** A raw request, so paths reach the server exactly as written (fetch would normalise `..`). */
function get(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('tessera serve: the page and signaling on one port', () => {
  it('serves / and directories as index.html, ignoring query strings', async () => {
    const home = await get('/?room=lab')
    expect(home).toMatchObject({ status: 200, body: '<!doctype html><title>donate</title>' })
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(home.headers['cache-control']).toBe('no-cache')
    expect((await get('/docs/')).body).toBe('<p>docs</p>')
    expect((await get('/docs')).body).toBe('<p>docs</p>')
  })

  it('sends the right MIME type for each kind of file', async () => {
    const types: Record<string, string> = {
      '/tessera-embed.js': 'text/javascript; charset=utf-8',
      '/worker.mjs': 'text/javascript; charset=utf-8',
      '/style.css': 'text/css; charset=utf-8',
      '/data.json': 'application/json; charset=utf-8',
      '/icon.svg': 'image/svg+xml',
      '/logo.png': 'image/png',
      '/module.wasm': 'application/wasm',
    }
    for (const [path, type] of Object.entries(types)) {
      const response = await get(path)
      expect([path, response.status, response.headers['content-type']]).toEqual([path, 200, type])
      expect(response.headers['x-content-type-options']).toBe('nosniff')
    }
  })

  it('lets other origins load the files (the embed is a module script on third-party pages)', async () => {
    expect((await get('/tessera-embed.js')).headers['access-control-allow-origin']).toBe('*')
  })

  it('lets browsers keep content-hashed assets for good, and revalidate the rest', async () => {
    expect((await get('/assets/index-Bx8kf3Qa.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect((await get('/tessera-embed.js')).headers['cache-control']).toBe('no-cache')
  })

  it('never serves a file outside its directory, however the path climbs', async () => {
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/docs/../../secret.txt', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/..\\secret.txt']) {
      const response = await get(path)
      expect([path, response.status]).toEqual([path, 404])
      expect(response.body).not.toContain('outside the served directory')
    }
    expect((await get('/%E0%A4%A')).status).toBe(404)
    expect((await get('/nothing-here.js')).status).toBe(404)
  })

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get('/index.html', 'HEAD')
    expect(head).toMatchObject({ status: 200, body: '' })
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength('<!doctype html><title>donate</title>')))
    expect((await get('/index.html', 'POST')).status).toBe(405)
  })

  it('still answers /healthz and /metrics, and accepts signaling WebSockets on the same port', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok' })
    expect((await get('/metrics')).body).toContain('signaling_')
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/`)
    const welcome = await new Promise<{ type: string }>((resolve, reject) => {
      socket.once('message', (data) => resolve(JSON.parse(String(data)) as { type: string }))
      socket.once('error', reject)
    })
    socket.close()
    expect(welcome.type).toBe('welcome')
  })

  it('says the port is in use in one line', async () => {
    await expect(startTesseraServer({ port: server.port, staticDir: false })).rejects.toThrow(
      `port ${server.port} is in use: stop whatever holds it, or choose another with --port`,
    )
  })
})
