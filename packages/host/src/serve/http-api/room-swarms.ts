import { signRoomToken } from '@tessera/signaling'
import type { Swarm } from '@tessera/runtime'
import { connect } from '../../connect.ts'
import { ApiBusyError, ApiRoomError } from './api-errors.ts'

export interface RoomSwarmsOptions {
  /** The server's own signaling URL, known once it listens. */
  readonly signaling: () => string
  readonly secret: string
  readonly isPrivate: (room: string) => boolean
  /** Rooms the server joins at once, to submit in (default 4). */
  readonly maxRooms?: number
  /** How long joining a room may take before the request fails (default 20 s). */
  readonly joinTimeoutMs?: number
  /** Joins a room (tests pass their own); default `@tessera/host`'s `connect`. */
  readonly connect?: typeof connect
}

/** The subject the API's own peers are certified as in private rooms: one per server, named plainly. */
const API_SUBJECT = 'tessera-http-api'
const TOKEN_LIFETIME_S = 7 * 86_400

/**
 * The server's own connections to rooms, one per room, made the first time
 * a request needs one: a host peer with no workers and no storage, which
 * submits jobs for HTTP clients and reads results. In a private room it
 * joins with a token it signs itself, so its jobs come from one subject.
 */
export class RoomSwarms {
  readonly #rooms = new Map<string, Promise<Swarm>>()
  readonly #maxRooms: number
  #closed = false

  constructor(private readonly options: RoomSwarmsOptions) {
    this.#maxRooms = options.maxRooms ?? 4
  }

  get size(): number {
    return this.#rooms.size
  }

  async get(room: string): Promise<Swarm> {
    if (this.#closed) throw new ApiRoomError('the server is closing')
    let joining = this.#rooms.get(room)
    if (joining === undefined) {
      if (this.#rooms.size >= this.#maxRooms) throw new ApiBusyError(`this server submits in at most ${this.#maxRooms} rooms at once`)
      const { secret, isPrivate } = this.options
      const token = isPrivate(room) ? signRoomToken({ secret, room, expiresInSeconds: TOKEN_LIFETIME_S, subject: API_SUBJECT }) : undefined
      const connecting = (this.options.connect ?? connect)({
        signaling: this.options.signaling(),
        room,
        workers: 0,
        cacheDir: false,
        ...(token === undefined ? {} : { token }),
      })
      joining = withDeadline(connecting, this.options.joinTimeoutMs ?? 20_000, room)
      this.#rooms.set(room, joining)
      joining.catch(() => this.#rooms.delete(room))
    }
    try {
      return await joining
    } catch (error) {
      throw new ApiRoomError(`could not join room ${JSON.stringify(room)}: ${(error as Error).message}`, { cause: error })
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    const joined = await Promise.allSettled(this.#rooms.values())
    this.#rooms.clear()
    await Promise.allSettled(joined.flatMap((r) => (r.status === 'fulfilled' ? [r.value.close()] : [])))
  }
}

/** A join that never settles must not hold a room slot, or its callers, forever; one that settles late is closed. */
function withDeadline(connecting: Promise<Swarm>, ms: number, room: string): Promise<Swarm> {
  return new Promise((resolve, reject) => {
    let late = false
    const timer = setTimeout(() => {
      late = true
      reject(new Error(`joining room ${JSON.stringify(room)} took over ${ms} ms`))
    }, ms)
    connecting.then(
      (swarm) => {
        clearTimeout(timer)
        if (late) void swarm.close().catch(() => {})
        else resolve(swarm)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}
