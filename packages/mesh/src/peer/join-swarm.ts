import { SignalingUnreachableError, type PeerId } from '@tessera/core'

export interface JoinOptions {
  /**
   * Work from the local cache (documents and results persisted by earlier
   * runs) when the signaling server does not answer, instead of failing: the
   * peer keeps trying to reach it in the background. Default false.
   */
  readonly offline?: boolean
  /** How long the signaling server has to let this peer into its room. Default 5 s. */
  readonly signalingTimeoutMs?: number
  /** How long to wait for the swarm document from the peers found in the room. Default 5 s. */
  readonly syncTimeoutMs?: number
}

/** What `connect()` found when it joined: read it as `swarm.peer.joined`. */
export interface JoinReport {
  /** False when the signaling server did not answer and the caller asked to work `offline`. */
  readonly online: boolean
  /** Other peers the signaling server listed in the room when this one joined; 0 means it found none. */
  readonly peersFound: number
  /**
   * The peer whose swarm document (jobs, the result cache, presence records)
   * this one received whole before `connect()` resolved; undefined when it
   * found nobody, or nobody answered within `syncTimeoutMs`.
   */
  readonly syncedFrom: PeerId | undefined
}

export const JOIN_DEFAULTS = { signalingTimeoutMs: 5_000, syncTimeoutMs: 5_000 } as const

export interface JoinParts {
  readonly url: string | readonly string[]
  readonly room: string
  /** Resolves once the room is joined; rejects when the server refuses (`AccessDeniedError`). */
  readonly ready: Promise<void>
  /** Resolves when every URL refused a connection: no need to wait out the timeout. */
  readonly unreachable?: Promise<void>
  /** Other peers the signaling server lists in the room. */
  readonly peersInRoom: () => number
  readonly firstSync: (timeoutMs: number) => Promise<PeerId | undefined>
}

/**
 * Waits until the room is joined and, when it holds other peers, until one of
 * them has sent its swarm document, so that the first call after `connect()`
 * sees the result cache the swarm already has. Both waits are bounded.
 */
export async function joinSwarm(parts: JoinParts, options: JoinOptions = {}): Promise<JoinReport> {
  const signalingTimeoutMs = options.signalingTimeoutMs ?? JOIN_DEFAULTS.signalingTimeoutMs
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), signalingTimeoutMs)))
  const refused = parts.unreachable?.then(() => 'refused' as const) ?? new Promise<never>(() => {})
  const outcome = await Promise.race([parts.ready.then(() => 'joined' as const), timedOut, refused]).finally(() => clearTimeout(timer))
  if (outcome !== 'joined') {
    if (options.offline === true) return { online: false, peersFound: 0, syncedFrom: undefined }
    const why = outcome === 'refused' ? 'nothing accepts connections there' : `room "${parts.room}" not joined in ${signalingTimeoutMs} ms`
    throw new SignalingUnreachableError(
      `cannot reach the signaling server at ${typeof parts.url === 'string' ? parts.url : parts.url.join(' or ')} (${why}): ` +
        'is `tessera serve` running there? Pass `offline: true` to work from the local cache.',
    )
  }
  const peersFound = parts.peersInRoom()
  if (peersFound === 0) return { online: true, peersFound, syncedFrom: undefined }
  const syncedFrom = await parts.firstSync(options.syncTimeoutMs ?? JOIN_DEFAULTS.syncTimeoutMs)
  return { online: true, peersFound, syncedFrom }
}
