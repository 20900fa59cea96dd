import { afterEach, describe, expect, it } from 'vitest'
import { getText, Harness, metric, TestClient } from './support/client.ts'
import { idOf } from './support/identities.ts'
import { until } from './support/until.ts'

const h = new Harness()
afterEach(() => h.cleanup())

describe('signaling server: refusals, limits and operations', () => {
  it('refuses a publish to a topic the sender is not in, and stays open', async () => {
    const server = await h.server()
    const client = await h.member(server, 'mine')
    client.send({ type: 'publish', topic: 'theirs', data: 1 })
    const error = await client.next('error')
    expect(error).toMatchObject({ code: 'not-subscribed', topic: 'theirs' })
    expect(error.reason).toContain('"theirs"')
    client.send({ type: 'ping' })
    await client.next('pong')
    expect(server.snapshot().rejected['not-subscribed']).toBe(1)
  })

  it('refuses malformed and binary frames with bad-frame, and stays open', async () => {
    const server = await h.server()
    const client = await h.client(server)
    client.sendRaw('{"type":')
    expect(await client.next('error')).toMatchObject({ code: 'bad-frame', reason: 'frame is not valid JSON' })
    client.sendRaw(Buffer.from([1, 2, 3]), true)
    expect((await client.next('error')).reason).toMatch(/binary/)
    client.send({ type: 'subscribe', topics: ['x'.repeat(257)] })
    expect((await client.next('error')).reason).toMatch(/longer than 256/)
    client.send({ type: 'subscribe', topics: Array.from({ length: 65 }, (_, i) => `t${i}`) })
    expect((await client.next('error')).reason).toMatch(/at most 64 per frame/)
    client.send({ type: 'ping' })
    await client.next('pong')
    expect(server.snapshot().rejected['bad-frame']).toBe(4)
    expect(server.snapshot().rooms).toBe(0)
  })

  it('joins rooms up to maxRooms and refuses the rest with too-many-rooms', async () => {
    const server = await h.server({ maxRooms: 2 })
    const client = await h.client(server)
    client.send({ type: 'subscribe', topics: ['r1', 'r2', 'r3'] })
    await client.next('subscribed', (f) => f.topic === 'r1')
    await client.next('subscribed', (f) => f.topic === 'r2')
    const error = await client.next('error')
    expect(error).toMatchObject({ code: 'too-many-rooms', topic: 'r3' })
    expect(error.reason).toMatch(/at most 2 rooms/)
    // Re-subscribing to a room already joined does not count twice.
    client.send({ type: 'subscribe', topics: ['r2'] })
    await client.next('subscribed', (f) => f.topic === 'r2')

    client.send({ type: 'unsubscribe', topics: ['r1'] })
    client.send({ type: 'subscribe', topics: ['r3'] })
    await client.next('subscribed', (f) => f.topic === 'r3')
    expect(server.snapshot().rooms).toBe(2)
  })

  it('refuses new topics past maxTopics with server-full', async () => {
    const server = await h.server({ maxTopics: 2 })
    const a = await h.member(server, 't1')
    await h.member(server, 't2')
    a.send({ type: 'subscribe', topics: ['t3', 't2'] })
    expect(await a.next('error')).toMatchObject({ code: 'server-full', topic: 't3' })
    await a.next('subscribed', (f) => f.topic === 't2')
  })

  it('refuses connections past maxConnections with server-full and close code 1013', async () => {
    const server = await h.server({ maxConnections: 1 })
    const first = await h.client(server)
    const second = h.track(await TestClient.connect(server.url))
    expect(await second.next('error')).toMatchObject({ code: 'server-full' })
    expect((await second.closed).code).toBe(1013)

    first.close()
    await until(() => server.snapshot().connections === 0)
    const third = await h.client(server)
    third.send({ type: 'ping' })
    await third.next('pong')
    expect(server.snapshot().disconnects['server-full']).toBe(1)
  })

  it('drops excess frames with one rate-limited error, and closes a flood with 1008', async () => {
    // Half a frame per second: the burst is all a client gets during the test.
    const server = await h.server({ rateLimit: { framesPerSecond: 0.5, burst: 5, floodFactor: 10, floodWindowMs: 10_000 } })
    const client = await h.client(server)
    for (let i = 0; i < 10; i++) client.send({ type: 'ping' })
    await client.sync()
    const frames = client.pending()
    expect(frames.filter((f) => f.type === 'pong')).toHaveLength(5)
    expect(frames.filter((f) => f.type === 'error')).toEqual([expect.objectContaining({ code: 'rate-limited' })])
    expect(server.snapshot().rejected['rate-limited']).toBe(5)

    // The flood threshold is 10 × 0.5/s × 10 s = 50 frames in the window.
    for (let i = 0; i < 41; i++) client.send({ type: 'ping' })
    expect((await client.closed).code).toBe(1008)
    await until(() => server.snapshot().disconnects.flood === 1)
  })

  it('closes a socket that sends a frame over maxPayload with 1009, and keeps serving the rest', async () => {
    const server = await h.server({ maxPayload: 1024 })
    const big = await h.member(server, 'room', 'big')
    const other = await h.member(server, 'room', 'other')
    big.send({ type: 'publish', topic: 'room', data: 'x'.repeat(2000) })
    expect((await big.closed).code).toBe(1009)
    expect(await other.next('peer-left')).toMatchObject({ peer: idOf('big') })

    const late = await h.member(server, 'room', 'late')
    other.send({ type: 'publish', topic: 'room', to: idOf('late'), data: 'still here' })
    expect((await late.next('publish')).data).toBe('still here')
    const snapshot = server.snapshot()
    expect(snapshot.rejected['too-large']).toBe(1)
    expect(snapshot.disconnects['too-large']).toBe(1)
    expect(snapshot.connections).toBe(2)
  })

  it('serves /healthz and /metrics, whose numbers follow the traffic', async () => {
    const server = await h.server()
    expect(await getText(`${server.httpUrl}/healthz`)).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: 'ok' })
    const before = (await getText(`${server.httpUrl}/metrics`)).body
    expect(before).toContain('# TYPE tessera_signaling_connections gauge')
    expect(before).toContain('# HELP tessera_signaling_messages_relayed_total')
    expect(before).toContain('# TYPE tessera_signaling_messages_rejected_total counter')
    expect(metric(before, 'tessera_signaling_connections')).toBe(0)
    expect(metric(before, 'tessera_signaling_rooms')).toBe(0)

    const a = await h.member(server, 'room', 'A')
    const b = await h.member(server, 'room', 'B')
    await h.member(server, 'room', 'C')
    await h.member(server, 'lobby')
    a.send({ type: 'publish', topic: 'room', to: idOf('B'), data: 1 }) // 1 delivery
    a.send({ type: 'publish', topic: 'room', data: 2 }) // 2 deliveries
    a.send({ type: 'publish', topic: 'lobby', data: 3 }) // not-subscribed
    a.sendRaw('nonsense')
    await b.next('publish', (f) => f.data === 2)
    await a.sync()

    const after = await getText(`${server.httpUrl}/metrics`)
    expect(after.type).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(metric(after.body, 'tessera_signaling_connections')).toBe(4)
    expect(metric(after.body, 'tessera_signaling_rooms')).toBe(2)
    expect(metric(after.body, 'tessera_signaling_messages_relayed_total')).toBe(3)
    expect(metric(after.body, 'tessera_signaling_messages_rejected_total{reason="bad-frame"}')).toBe(1)
    expect(metric(after.body, 'tessera_signaling_messages_rejected_total{reason="not-subscribed"}')).toBe(1)
    expect(metric(after.body, 'tessera_signaling_messages_rejected_total{reason="unauthorized"}')).toBe(0)
    expect(metric(after.body, 'tessera_signaling_messages_rejected_total{reason="unproven-peer"}')).toBe(0)

    a.close()
    await until(() => server.snapshot().connections === 3)
    const closed = (await getText(`${server.httpUrl}/metrics`)).body
    expect(metric(closed, 'tessera_signaling_connections')).toBe(3)
    expect(metric(closed, 'tessera_signaling_disconnects_total{reason="closed"}')).toBe(1)
  })

  it('answers other paths with 404 and other methods with 405', async () => {
    const server = await h.server()
    expect((await getText(`${server.httpUrl}/`)).status).toBe(404)
    expect((await getText(`${server.httpUrl}/healthz/x`)).status).toBe(404)
    expect((await getText(`${server.httpUrl}/healthz?probe=1`)).status).toBe(200)
    expect((await fetch(`${server.httpUrl}/metrics`, { method: 'POST' })).status).toBe(405)
  })

  it('drops connections that stop answering keep-alive pings', async () => {
    const server = await h.server({ keepAliveMs: 250 })
    const silent = h.track(await TestClient.connect(server.url, { autoPong: false }))
    const healthy = await h.client(server)
    await silent.closed
    await until(() => server.snapshot().disconnects.keepalive === 1)
    healthy.send({ type: 'ping' })
    await healthy.next('pong')
    expect(server.snapshot().connections).toBe(1)
  })

  it('close() says goodbye with 1001, refuses new connections and may be called twice', async () => {
    const server = await h.server()
    const client = await h.member(server, 'room', 'A')
    await Promise.all([server.close(), server.close()])
    expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' })
    await expect(TestClient.connect(server.url)).rejects.toThrow()
  })

  it('refuses a configuration that cannot work', async () => {
    await expect(h.server({ maxRooms: 0 })).rejects.toThrow(/maxRooms/)
    await expect(h.server({ secret: 'short' })).rejects.toThrow(/at least 16/)
    await expect(h.server({ privateRooms: ['lab'] })).rejects.toThrow(/needs a secret/)
    await expect(h.server({ iceServers: [{ urls: 'http://nope' }] })).rejects.toThrow(/stun/)
  })
})
