import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { getText, Harness, TestClient } from './support/client.ts'
import { idOf, proofFor } from './support/identities.ts'

const SEED = 20_260_322
const FRAMES = 10_000
const CONNECTIONS = 4
const MAX_PAYLOAD = 64 * 1024

/** mulberry32: small, seeded, good enough to pick cases reproducibly. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

interface FuzzFrame {
  readonly data: string | Buffer
  readonly binary: boolean
  /** The close code this frame must end its connection with, if it must. */
  readonly kills?: 1007 | 1009
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Classifies a frame the way a correct server must treat it at the WebSocket level. */
function classify(data: string | Buffer, binary: boolean): FuzzFrame {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length
  if (size > MAX_PAYLOAD) return { data, binary, kills: 1009 }
  if (!binary && typeof data !== 'string') {
    try {
      utf8.decode(data)
    } catch {
      return { data, binary, kills: 1007 }
    }
  }
  return { data, binary }
}

function makeFrames(seed: number, count: number): FuzzFrame[] {
  const random = prng(seed)
  const int = (max: number) => Math.floor(random() * max)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T
  // Pools of values fast-check draws with the same seed, for variety without writing generators.
  const jsonValues = fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed, numRuns: 500 })
  const strings = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { seed: seed + 1, numRuns: 500 })
  const topics = ['room', 'lobby', 'private:lab', '🧪', 'ünïcödé', '__proto__', 'constructor', 'a'.repeat(256), '\u0000', 'x y']
  const peers = ['A', 'B', 'C', '', '🦊', 'toString', 'p'.repeat(257), idOf('A'), idOf('B')]
  // Frames are made before any connection exists, so no proof here can be right: replayed ones
  // (a real signature of another challenge), well-formed garbage, and other strings.
  const proofs = [proofFor({ challenge: 'an old challenge' }, 'A'), proofFor({ challenge: 'another' }, 'B'), 'A'.repeat(86), 'x', '', '🦊'.repeat(40)]
  const anyValue = (): unknown => pick([() => pick(jsonValues), () => pick(strings), () => int(1e9) - 5e8, () => null, () => [pick(strings)], () => ({})])()

  const validFrame = (): Record<string, unknown> =>
    pick([
      () => ({
        type: 'subscribe',
        topics: [pick(topics), pick(topics)],
        ...(random() < 0.5 ? { peer: pick(peers) } : {}),
        ...(random() < 0.5 ? { proof: pick(proofs) } : {}),
        meta: { kind: pick(['node', 'browser']) },
      }),
      () => ({ type: 'unsubscribe', topics: [pick(topics)] }),
      () => ({ type: 'publish', topic: pick(topics), data: anyValue(), ...(random() < 0.5 ? { to: pick(peers) } : {}) }),
      () => ({ type: 'publish', topic: pick(topics), data: { type: 'announce', from: pick(peers) } }),
      () => ({ type: 'publish', topic: pick(topics), data: { type: 'signal', from: pick(peers), to: pick(peers), signal: anyValue() } }),
      () => ({ type: 'ping' }),
    ])()

  const cases: Array<() => FuzzFrame> = [
    // random bytes, as binary and as (usually invalid UTF-8) text
    () => ({ data: Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256))), binary: true }),
    () => ({ data: Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256))), binary: random() < 0.1 ? false : true }),
    // truncated JSON
    () => {
      const text = JSON.stringify(validFrame())
      return { data: text.slice(0, int(text.length)), binary: false }
    },
    // valid-looking frames with one field of the wrong type
    () => {
      const frame = validFrame()
      const keys = [...Object.keys(frame), 'type', 'topics', 'topic', 'peer', 'proof', 'token', 'meta', 'to', 'data']
      return { data: JSON.stringify({ ...frame, [pick(keys)]: anyValue() }), binary: false }
    },
    // any JSON at all
    () => ({ data: JSON.stringify(pick(jsonValues)), binary: false }),
    // random text
    () => ({ data: pick(strings), binary: false }),
    // huge strings, under and (rarely) over the frame cap
    () => ({ data: JSON.stringify({ type: 'publish', topic: 'room', data: 'x'.repeat(int(MAX_PAYLOAD - 100)) }), binary: false }),
    () => ({ data: JSON.stringify({ type: 'subscribe', topics: ['t'.repeat(200 + int(2000))] }), binary: false }),
    () => ({ data: JSON.stringify({ type: 'subscribe', topics: ['room'], token: 'k'.repeat(1000 + int(3000)) }), binary: false }),
    () => ({ data: random() < 0.05 ? 'y'.repeat(MAX_PAYLOAD + 1 + int(1000)) : '{}', binary: false }),
    // deep nesting, in data and as the frame itself
    () => {
      const depth = 1 + int(20_000)
      return { data: `{"type":"publish","topic":"room","data":${'['.repeat(depth)}${']'.repeat(depth)}}`, binary: false }
    },
    () => ({ data: `${'{"a":'.repeat(1 + int(5000))}1${'}'.repeat(int(5000))}`, binary: false }),
    // unicode: lone surrogates, escapes, control characters
    () => ({ data: `{"type":"subscribe","topics":["\\ud800${pick(['', '\\udfff', '\\u0000', 'é'])}"],"peer":"\\udc00"}`, binary: false }),
    () => ({ data: JSON.stringify({ type: 'publish', topic: pick(topics), data: pick(strings), to: pick(strings) }), binary: false }),
    // prototype-shaped keys
    () => ({ data: `{"type":"publish","topic":"room","__proto__":{"type":"ping"},"data":{"__proto__":{"to":"A"}}}`, binary: false }),
    // many topics at once (past maxRooms and past the per-frame cap), joined and left so rooms churn
    () => ({ data: JSON.stringify({ type: pick(['subscribe', 'unsubscribe']), topics: Array.from({ length: int(100) }, (_, i) => `t${i}`) }), binary: false }),
    // well-formed traffic, so the fuzz also exercises rooms and routing
    () => ({ data: JSON.stringify(validFrame()), binary: false }),
    () => ({ data: JSON.stringify(validFrame()), binary: false }),
  ]
  return Array.from({ length: count }, () => {
    const { data, binary } = pick(cases)()
    return classify(data, binary)
  })
}

const h = new Harness()
afterEach(() => h.cleanup())

describe('fuzzing the server', () => {
  it(`survives ${FRAMES} random and malformed frames, then still serves well-behaved clients`, async () => {
    const logged: string[] = []
    const server = await h.server({
      maxPayload: MAX_PAYLOAD,
      rateLimit: { framesPerSecond: 1_000_000, burst: 1_000_000 },
      log: (line) => logged.push(line),
    })
    const frames = makeFrames(SEED, FRAMES)
    const clients: TestClient[] = []
    const open = async (index: number): Promise<TestClient> => {
      const client = h.track(await TestClient.connect(server.url))
      clients[index] = client
      return client
    }
    for (let i = 0; i < CONNECTIONS; i++) await open(i)

    const random = prng(SEED + 99)
    const kills: number[] = []
    for (const [n, frame] of frames.entries()) {
      const index = Math.floor(random() * CONNECTIONS)
      const client = clients[index] as TestClient
      client.sendRaw(frame.data, frame.binary)
      if (frame.kills !== undefined) {
        // The server must end exactly this connection, with exactly this code.
        expect((await client.closed).code).toBe(frame.kills)
        kills.push(frame.kills)
        await open(index)
      }
      if (n % 250 === 249) {
        // Let the server catch up, and keep the replies from piling up here.
        for (const c of clients) {
          await c.sync()
          c.clear()
        }
      }
    }
    for (const c of clients) await c.sync()

    const snapshot = server.snapshot()
    expect(logged).toEqual([]) // no frame ever threw inside the server
    // Every frame that did not end its connection reached the hub, and every fuzzing connection is still open.
    expect(snapshot.framesReceived).toBe(FRAMES - kills.length)
    expect(snapshot.connections).toBe(CONNECTIONS)
    expect(snapshot.rejected['bad-frame']).toBeGreaterThan(FRAMES / 3)
    expect(snapshot.rejected['unproven-peer']).toBeGreaterThan(0)
    expect(snapshot.rejected['too-large']).toBe(kills.filter((code) => code === 1009).length)
    expect(kills).toContain(1007)
    expect(kills).toContain(1009)
    expect(snapshot.messagesRelayed).toBeGreaterThan(0)

    expect(await getText(`${server.httpUrl}/healthz`)).toMatchObject({ status: 200, body: 'ok' })
    const a = await h.member(server, 'after-fuzz', 'A')
    const b = await h.member(server, 'after-fuzz', 'B')
    a.send({ type: 'publish', topic: 'after-fuzz', to: idOf('B'), data: { type: 'offer', sdp: 'v=0' } })
    expect(await b.next('publish')).toEqual({ type: 'publish', topic: 'after-fuzz', data: { type: 'offer', sdp: 'v=0' }, from: idOf('A') })

    // Nothing leaks: once every fuzzing connection is gone, so are their rooms.
    for (const c of clients) c.close()
    a.close()
    b.close()
    const deadline = Date.now() + 5000
    while (server.snapshot().connections > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(server.snapshot()).toMatchObject({ connections: 0, rooms: 0 })
  })
})
