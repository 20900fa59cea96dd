import { MemoryExecutor, systemClock, type Clock, type Executor, type JobOptions, type PeerPort } from '@tessera/core'
import { startNodePeer, type MeshPeer } from '@tessera/mesh/node'
import { assembleSwarm, type Swarm } from '@tessera/runtime'
import { signRoomToken, startSignalingServer, type SignalingServer } from '@tessera/signaling'
import type { Arena, Lie } from './arena.ts'
import { LyingExecutor } from './hostile-peers.ts'

export interface MeshArenaOptions {
  readonly donors: number
  readonly room?: string
  /** A private room on a server with a secret, each peer with a token of its own subject (`peer-0`, `peer-1`, …), as distinct machines would be. */
  readonly subjects?: boolean
  /** What hosts' functions start from (`{ adaptive: true }`). */
  readonly jobDefaults?: JobOptions
}

const TOKEN_SECRET = 'mesh-arena-secret-of-the-tests'

/**
 * The arena over the real mesh: a real signaling server on loopback, and
 * Node peers (real WebRTC) in this process, each a `Swarm` as `connect()`
 * builds it, with the fast failure detection the e2e tests use.
 */
export class MeshArena implements Arena {
  readonly kind = 'mesh'
  readonly clock: Clock = systemClock
  readonly #swarms: Array<Swarm<MeshPeer>> = []
  #peers = 0

  private constructor(
    private readonly signaling: SignalingServer,
    private readonly room: string,
    private readonly options: MeshArenaOptions,
  ) {}

  /** A new signaling server and `donors` honest donors (one worker each), linked. */
  static async start(options: MeshArenaOptions): Promise<MeshArena> {
    const secret = options.subjects === true ? TOKEN_SECRET : undefined
    const room = options.subjects === true ? `private:${options.room ?? 'trust'}` : (options.room ?? 'trust')
    const arena = new MeshArena(await startSignalingServer({ port: 0, ...(secret === undefined ? {} : { secret }) }), room, options)
    for (let i = 0; i < options.donors; i++) await arena.#connect(1, new MemoryExecutor())
    return arena
  }

  host(_name: string, workers = 0): Promise<Swarm> {
    return this.#connect(workers, workers > 0 ? new MemoryExecutor() : undefined)
  }

  async liar(_name: string, lie: Lie): Promise<{ readonly peer: PeerPort; leave(): Promise<void> }> {
    const swarm = await this.#connect(1, new LyingExecutor(new MemoryExecutor(), lie))
    return { peer: swarm.peer, leave: () => swarm.close() }
  }

  async until(check: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms
    while (!check()) {
      if (Date.now() > deadline) return false
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    return true
  }

  async settle<T>(promise: Promise<T>, ms = 60_000): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms)))
    try {
      return await Promise.race([promise, late])
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#swarms.splice(0).map((swarm) => swarm.close()))
    await this.signaling.close()
  }

  async #connect(workers: number, executor: Executor | undefined): Promise<Swarm<MeshPeer>> {
    const live = this.#swarms.filter((swarm) => !swarm.peer.closed).length
    const subject = `peer-${this.#peers++}`
    const token = this.options.subjects === true ? signRoomToken({ secret: TOKEN_SECRET, room: this.room, expiresInSeconds: 3_600, subject }) : undefined
    const peer = await startNodePeer({
      signaling: this.signaling.url,
      room: this.room,
      ...(token === undefined ? {} : { token }),
      dir: false,
      workers,
      limits: { heartbeatMs: 300, deadAfterMs: 2_000 },
      maintainMs: 300,
      syncIntervalMs: 1_000,
      presenceIntervalMs: 500,
    })
    const jobDefaults = this.options.jobDefaults
    const swarm = assembleSwarm({ peer, workers, maxValueBytes: 1024 * 1024, ...(executor === undefined ? {} : { executor }), ...(jobDefaults === undefined ? {} : { jobDefaults }) })
    this.#swarms.push(swarm)
    if (!(await this.until(() => peer.mesh.openPeers().length >= live, 20_000))) throw new Error(`a new peer linked to ${peer.mesh.openPeers().length} of ${live} peers`)
    return swarm
  }
}
