/**
 * The bus between processes, through Redis (ioredis): pub/sub carries the
 * messages, one hash per instance holds its presence entries with a TTL that
 * each heartbeat renews, so a killed instance's entries vanish on their own.
 *
 * Channels: `<prefix>all` for everyone, `<prefix>to:<instance>` for one
 * instance. A message is `<kind>|<from>|<body>`: `m` a message, `a` a
 * heartbeat, `b` a goodbye. Redis keeps the order of one publisher's messages,
 * which is what the cluster relies on (a join is seen before the leave after it).
 */
import { Redis } from 'ioredis'
import { Liveness, newInstanceId, resolveTiming, type BusListener, type BusTiming, type PresenceSnapshot, type RoomBus } from './room-bus.ts'

export interface RedisBusOptions extends BusTiming {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  readonly url: string
  /** Prefix of every key and channel, so several swarms can share one Redis. Default `tessera:signaling:`. */
  readonly prefix?: string
  /** Where connection trouble is reported. */
  readonly log?: (line: string) => void
}

export class RedisBusError extends Error {
  override readonly name = 'RedisBusError'
}

export class RedisBus implements RoomBus {
  readonly instance = newInstanceId()
  readonly #prefix: string
  readonly #timing: { readonly heartbeatMs: number; readonly ttlMs: number }
  readonly #liveness: Liveness
  readonly #commands: Redis
  readonly #subscriber: Redis
  #listener: BusListener | undefined
  #timer: ReturnType<typeof setInterval> | undefined
  #stopped = false
  /** What the client last reported: a refused connection says more than ioredis's "Connection is closed". */
  #lastError: string | undefined

  constructor(private readonly options: RedisBusOptions) {
    this.#prefix = options.prefix ?? 'tessera:signaling:'
    this.#timing = resolveTiming(options)
    this.#liveness = new Liveness(this.#timing.ttlMs)
    // Commands queue while Redis is away and go out once it is back; start() fails fast instead of waiting.
    const connection = { lazyConnect: true, maxRetriesPerRequest: null, enableOfflineQueue: true } as const
    this.#commands = new Redis(options.url, connection)
    // ioredis's own resubscription leaves its promise unhandled (fixed upstream in ioredis#2187): a
    // disconnect while it was in flight failed a test run with "Connection is closed.". This bus
    // subscribes again itself, on 'ready'.
    this.#subscriber = new Redis(options.url, { ...connection, autoResubscribe: false })
    for (const client of [this.#commands, this.#subscriber]) {
      client.on('error', (error: Error) => {
        this.#lastError = error.message
        options.log?.(`signaling: redis: ${error.message}`)
      })
    }
  }

  get #key(): string {
    return `${this.#prefix}presence:${this.instance}`
  }

  async start(listener: BusListener): Promise<PresenceSnapshot> {
    this.#listener = listener
    try {
      await Promise.all([this.#commands.connect(), this.#subscriber.connect()])
    } catch (error) {
      this.crash()
      throw new RedisBusError(`cannot reach Redis at ${redactedUrl(this.options.url)}: ${this.#lastError ?? (error as Error).message}`)
    }
    this.#subscriber.on('message', (_channel: string, text: string) => this.#receive(text))
    // On reconnection: subscribe again, and since what was stored may be lost, tell the cluster.
    this.#subscriber.on('ready', () => void this.#reconnected())
    // Subscribed before the snapshot is read, so nothing published in between is missed.
    await this.#subscribe()
    const snapshot = await this.#snapshot()
    await this.#beat()
    this.#timer = setInterval(() => void this.#beat().catch(() => {}), this.#timing.heartbeatMs)
    this.#timer.unref()
    return snapshot
  }

  publish(body: string, to?: string): void {
    if (this.#stopped) return
    const channel = to === undefined ? `${this.#prefix}all` : `${this.#prefix}to:${to}`
    void this.#commands.publish(channel, `m|${this.instance}|${body}`).catch(() => {})
  }

  put(key: string, value: string | undefined): void {
    if (this.#stopped) return
    const write = value === undefined ? this.#commands.hdel(this.#key, key) : this.#commands.hset(this.#key, key, value)
    void write.catch(() => {})
    // A first entry makes the hash: it must expire too, even before the next heartbeat.
    if (value !== undefined) void this.#commands.pexpire(this.#key, this.#timing.ttlMs).catch(() => {})
  }

  async close(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    clearInterval(this.#timer)
    try {
      await this.#commands.del(this.#key)
      await this.#commands.publish(`${this.#prefix}all`, `b|${this.instance}|`)
    } catch {
      // Redis is away: the entries expire by themselves.
    }
    this.#subscriber.disconnect()
    await this.#commands.quit().catch(() => this.#commands.disconnect())
  }

  crash(): void {
    this.#stopped = true
    clearInterval(this.#timer)
    this.#subscriber.disconnect()
    this.#commands.disconnect()
  }

  async #subscribe(): Promise<void> {
    await this.#subscriber.subscribe(`${this.#prefix}all`, `${this.#prefix}to:${this.instance}`)
  }

  async #reconnected(): Promise<void> {
    if (this.#stopped) return
    try {
      await this.#subscribe()
      const snapshot = await this.#snapshot()
      this.#listener?.reconnected?.(snapshot)
    } catch {
      // Gone again: the next 'ready' tries once more.
    }
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return
    // The hash exists only once something was put: pexpire on a missing key does nothing, which is right.
    await this.#commands.pexpire(this.#key, this.#timing.ttlMs)
    await this.#commands.publish(`${this.#prefix}all`, `a|${this.instance}|`)
    for (const dead of this.#liveness.expired(Date.now())) this.#listener?.gone(dead)
  }

  #receive(text: string): void {
    const kindEnd = text.indexOf('|')
    const fromEnd = text.indexOf('|', kindEnd + 1)
    if (kindEnd !== 1 || fromEnd < 0) return
    const kind = text[0]
    const from = text.slice(2, fromEnd)
    if (from === this.instance || this.#stopped) return
    if (kind === 'b') {
      this.#liveness.forget(from)
      this.#listener?.gone(from)
      return
    }
    this.#liveness.seen(from, Date.now())
    if (kind === 'm') this.#listener?.message(from, text.slice(fromEnd + 1))
  }

  async #snapshot(): Promise<PresenceSnapshot> {
    const snapshot = new Map<string, ReadonlyMap<string, string>>()
    const pattern = `${this.#prefix}presence:*`
    let cursor = '0'
    do {
      const [next, keys] = await this.#commands.scan(cursor, 'MATCH', pattern, 'COUNT', 500)
      cursor = next
      for (const key of keys) {
        const instance = key.slice(`${this.#prefix}presence:`.length)
        if (instance === this.instance) continue
        const entries = await this.#commands.hgetall(key)
        snapshot.set(instance, new Map(Object.entries(entries)))
        this.#liveness.seen(instance, Date.now())
      }
    } while (cursor !== '0')
    return snapshot
  }
}

/** The URL without its password, for messages. */
function redactedUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
}
