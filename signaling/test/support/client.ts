import { WebSocket, type ClientOptions } from 'ws'
import type { ServerFrame } from '../../src/protocol.ts'
import { startSignalingServer, type SignalingServer } from '../../src/server.ts'
import type { SignalingServerOptions } from '../../src/options.ts'
import { provenSubscribe } from './identities.ts'

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>

/**
 * A real `ws` client that queues every frame the server sends, so tests can
 * take the next one of a kind, or prove none arrived.
 */
export class TestClient {
  private readonly queue: ServerFrame[] = []
  private waiters: Array<() => void> = []
  #challenge: string | undefined
  readonly closed: Promise<{ code: number; reason: string }>

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      // The protocol has no binary server frames: make one fail any test that looks.
      if (isBinary) this.queue.push({ type: 'error', code: 'bad-frame', reason: 'server sent a binary frame' })
      else {
        const frame = JSON.parse(String(data)) as ServerFrame
        if (frame.type === 'welcome') this.#challenge ??= frame.challenge
        this.queue.push(frame)
      }
      this.wake()
    })
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() })
        this.wake()
      })
    })
    ws.on('error', () => {}) // close follows; tests assert on that
  }

  static async connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options)
    const client = new TestClient(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return client
  }

  /** This connection's challenge, from its `welcome` (which must have arrived). */
  get challenge(): string {
    if (this.#challenge === undefined) throw new Error('no welcome with a challenge yet')
    return this.#challenge
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame))
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary })
  }

  /** Removes and returns the first queued frame of `type` (matching `where`), waiting for it if needed. */
  async next<T extends ServerFrame['type']>(type: T, where: (frame: FrameOf<T>) => boolean = () => true, timeoutMs = 3000): Promise<FrameOf<T>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const index = this.queue.findIndex((frame) => frame.type === type && where(frame as FrameOf<T>))
      if (index >= 0) return this.queue.splice(index, 1)[0] as FrameOf<T>
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type}; queue: ${JSON.stringify(this.queue)}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no ${type} frame within ${timeoutMs} ms; queue: ${JSON.stringify(this.queue)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /**
   * Resolves once the server has handled everything this client sent before:
   * the server answers a WebSocket ping only after the frames ahead of it.
   */
  async sync(): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) throw new Error('sync on a socket that is not open')
    await new Promise<void>((resolve, reject) => {
      const onPong = () => {
        this.ws.off('close', onClose)
        resolve()
      }
      const onClose = () => {
        this.ws.off('pong', onPong)
        reject(new Error('socket closed during sync'))
      }
      this.ws.once('pong', onPong)
      this.ws.once('close', onClose)
      this.ws.ping()
    })
  }

  /** Frames received and not yet taken. */
  pending(): readonly ServerFrame[] {
    return this.queue
  }

  /** Drops queued frames (after the ones a test cares about were checked). */
  clear(): void {
    this.queue.length = 0
  }

  close(): void {
    this.ws.terminate()
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }
}

/** Starts servers and clients and closes them all in `cleanup()` (call it in afterEach). */
export class Harness {
  private readonly servers: SignalingServer[] = []
  private readonly clients: TestClient[] = []

  async server(options: SignalingServerOptions = {}): Promise<SignalingServer> {
    const server = await startSignalingServer({ port: 0, ...options })
    this.servers.push(server)
    return server
  }

  /** A connected client whose `welcome` has been taken off the queue. */
  async client(server: SignalingServer, options: ClientOptions = {}): Promise<TestClient> {
    const client = await TestClient.connect(server.url, options)
    this.clients.push(client)
    await client.next('welcome')
    return client
  }

  /**
   * A client that has subscribed to `topic` and taken its `subscribed`; with `name`, bound to the
   * key id of the test identity of that name (`idOf(name)`), proven.
   */
  async member(server: SignalingServer, topic: string, name?: string): Promise<TestClient> {
    const client = await this.client(server)
    client.send(name === undefined ? { type: 'subscribe', topics: [topic] } : provenSubscribe(client, name, [topic]))
    await client.next('subscribed', (frame) => frame.topic === topic)
    return client
  }

  track(client: TestClient): TestClient {
    this.clients.push(client)
    return client
  }

  async cleanup(): Promise<void> {
    for (const client of this.clients.splice(0)) client.close()
    await Promise.all(this.servers.splice(0).map((server) => server.close()))
  }
}

export async function getText(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(url)
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() }
}

/** Reads one sample from Prometheus text, e.g. `metric(text, 'x_total{reason="bad-frame"}')`. */
export function metric(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `))
  if (line === undefined) throw new Error(`no ${series} in metrics:\n${text}`)
  return Number(line.slice(series.length + 1))
}
