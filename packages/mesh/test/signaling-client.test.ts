import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { Identity } from '@tessera/core'
import { SignalingClient, type SignalingEvents } from '@tessera/mesh'
import { nodeWebSocket } from '@tessera/mesh/node'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { waitFor } from './support/swarm.ts'

let server: SignalingServer | undefined
const closers: Array<() => void> = []

afterEach(async () => {
  for (const close of closers.splice(0)) close()
  await server?.close()
  server = undefined
})

interface Joined {
  readonly client: SignalingClient
  readonly identity: Identity
  readonly joined: string[]
  readonly signals: Array<{ from: string; data: unknown }>
  readonly refusals: string[]
}

function join(url: string, room = 'room'): Joined {
  const identity = Identity.generate()
  const joined: string[] = []
  const signals: Array<{ from: string; data: unknown }> = []
  const refusals: string[] = []
  const events: SignalingEvents = {
    roster: (peers) => joined.push(...peers.map((p) => p.peer)),
    joined: (peer) => joined.push(peer),
    left: () => {},
    signal: (from, data) => signals.push({ from, data }),
    refused: (code) => refusals.push(code),
    connected: () => {},
  }
  const client = new SignalingClient({ url, room, identity, meta: { kind: 'node' }, WebSocket: nodeWebSocket, minBackoffMs: 20 }, events)
  closers.push(() => client.close())
  return { client, identity, joined, signals, refusals }
}

/** A raw socket speaking the protocol by hand, as a hostile peer would. */
async function rawSocket(url: string): Promise<{ ws: WebSocket; frames: Array<Record<string, unknown>> }> {
  const ws = new WebSocket(url)
  const frames: Array<Record<string, unknown>> = []
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>))
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  closers.push(() => ws.terminate())
  return { ws, frames }
}

describe('signaling client: ids bound to keys', () => {
  it('joins under its key id, proven on the server challenge, and hears only sender ids the server stamps', async () => {
    server = await startSignalingServer({ port: 0 })
    const a = join(server.url)
    const b = join(server.url)
    await Promise.all([a.client.ready, b.client.ready])
    await waitFor('each to see the other', () => a.joined.includes(b.identity.peer) && b.joined.includes(a.identity.peer))

    // A stranger cannot take b's id, so writes it into the data instead.
    const stranger = await rawSocket(server.url)
    stranger.ws.send(JSON.stringify({ type: 'subscribe', topics: ['room'], peer: b.identity.peer }))
    await waitFor('the refusal', () => stranger.frames.some((f) => f['type'] === 'error'))
    expect(stranger.frames.find((f) => f['type'] === 'error')).toMatchObject({ code: 'unproven-peer' })
    stranger.ws.send(JSON.stringify({ type: 'subscribe', topics: ['room'] }))
    stranger.ws.send(JSON.stringify({ type: 'publish', topic: 'room', to: a.identity.peer, data: { type: 'invite', from: b.identity.peer, to: a.identity.peer } }))
    await new Promise((resolve) => stranger.ws.once('pong', resolve).ping()) // the server has relayed it

    expect(b.client.signal(a.identity.peer, { type: 'invite', n: 1 })).toBe(true)
    await waitFor("b's real signal", () => a.signals.length > 0)
    expect(a.signals).toEqual([{ from: b.identity.peer, data: { type: 'invite', n: 1, from: b.identity.peer, to: a.identity.peer } }])
    expect([...a.refusals, ...b.refusals]).toEqual([])
  })

  it('refuses, and stops, against a server that sends no challenge to sign', async () => {
    const old = new WebSocketServer({ port: 0, host: '127.0.0.1' })
    closers.push(() => old.close())
    let subscribes = 0
    old.on('connection', (ws) => {
      ws.on('message', (data) => (subscribes += JSON.parse(String(data)).type === 'subscribe' ? 1 : 0))
      ws.send(JSON.stringify({ type: 'welcome', iceServers: [], maxPayload: 65536, maxRooms: 32 }))
    })
    await new Promise((resolve) => old.once('listening', resolve))
    const { port } = old.address() as { port: number }
    const a = join(`ws://127.0.0.1:${port}`)
    await expect(a.client.ready).rejects.toMatchObject({ name: 'AccessDeniedError', message: expect.stringMatching(/no challenge/) })
    expect(a.refusals).toEqual(['unproven-peer'])
    // It never named its id to a server that could not check it.
    expect(subscribes).toBe(0)
  })
})

describe('signaling client: short-lived TURN credentials', () => {
  it('asks for new ICE servers three quarters into their TTL, uses them, and keeps what it has over a malformed answer', async () => {
    const fake = new WebSocketServer({ port: 0, host: '127.0.0.1' })
    closers.push(() => fake.close())
    const first = [{ urls: 'turn:127.0.0.1:3478', username: '100:a', credential: 'one' }]
    const second = [{ urls: ['turn:127.0.0.1:3478'], username: '200:b', credential: 'two' }]
    const asked: number[] = []
    fake.on('connection', (ws) => {
      const welcomed = Date.now()
      ws.on('message', (data) => {
        if ((JSON.parse(String(data)) as { type: string }).type !== 'ice-servers') return
        asked.push(Date.now() - welcomed)
        // The first answer is good; the second is hostile (it would throw in RTCPeerConnection).
        ws.send(JSON.stringify({ type: 'ice-servers', iceServers: asked.length === 1 ? second : [{ urls: 'javascript:x' }], iceTtlMs: 1_200 }))
      })
      ws.send(JSON.stringify({ type: 'welcome', challenge: 'c2hhbGxvdw', iceServers: first, iceTtlMs: 1_200, maxPayload: 65_536, maxRooms: 8, issuer: 'x' }))
    })
    await new Promise((resolve) => fake.once('listening', resolve))
    const { port } = fake.address() as { port: number }
    const a = join(`ws://127.0.0.1:${port}`)
    await waitFor('the welcome', () => a.client.iceServers.length > 0)
    expect(a.client.iceServers).toEqual(first)
    await waitFor('the renewed servers', () => a.client.iceServers[0]?.username === '200:b')
    expect(a.client.iceServers).toEqual(second)
    // 1,200 ms × 3/4 = 900 ms, raised to the 1 s floor; the new grant scheduled the next ask.
    expect(asked[0]).toBeGreaterThanOrEqual(950)
    await waitFor('the second ask', () => asked.length === 2)
    expect(asked[1]! - asked[0]!).toBeGreaterThanOrEqual(950)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(a.client.iceServers).toEqual(second)
  })
})
