import { afterEach, describe, expect, it } from 'vitest'
import { getText, Harness } from './support/client.ts'

const h = new Harness()
afterEach(() => h.cleanup())

describe('httpFallback: one port for signaling and other HTTP', () => {
  it('answers other paths through the fallback, while /healthz, /metrics and WebSocket upgrades stay the server’s', async () => {
    const seen: string[] = []
    const server = await h.server({
      httpFallback: (req, res) => {
        seen.push(req.url ?? '')
        res.writeHead(200, { 'content-type': 'text/html' }).end('<p>page</p>')
      },
    })
    const page = await getText(`${server.httpUrl}/index.html?room=x`)
    expect(page).toEqual({ status: 200, type: 'text/html', body: '<p>page</p>' })
    expect((await getText(`${server.httpUrl}/healthz`)).body).toBe('ok')
    expect((await getText(`${server.httpUrl}/metrics`)).body).toContain('signaling_')
    const member = await h.member(server, 'room', 'peer-a')
    member.send({ type: 'ping' })
    await member.next('pong')
    expect(seen).toEqual(['/index.html?room=x'])
  })

  it('without a fallback, other paths are 404 as before', async () => {
    const server = await h.server()
    expect((await getText(`${server.httpUrl}/index.html`)).status).toBe(404)
  })
})
