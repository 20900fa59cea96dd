import { MemoryBlobStore, MemoryExecutor } from '@tessera/core'
import { MeshPeer, type WebSocketLike } from '@tessera/mesh'
import { nodeRtc } from '@tessera/mesh/node'
import { assembleSwarm, type Swarm } from '@tessera/runtime'
import { afterEach } from 'vitest'

/** A socket to a signaling server that is never there: the peer stays alone, retrying in the background. */
class NoSignaling implements WebSocketLike {
  readonly readyState = 3
  onopen: ((event: unknown) => void) | null = null
  onclose: ((event: unknown) => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  onmessage: ((event: { readonly data: unknown }) => void) | null = null
  constructor(_url: string) {
    setTimeout(() => this.onclose?.({}), 0)
  }
  send(): void {}
  close(): void {}
}

/**
 * A whole swarm in this process with no network: one peer whose donor runs
 * every task on an in-thread executor that compiles each function from its
 * source text, as a worker would. Blocks go through the same value store, links
 * are resolved by the same donor code, and memoization is the same cache.
 */
export function useOfflineSwarm(): () => Promise<Swarm> {
  const open: Swarm[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
  })
  return async () => {
    const peer = await MeshPeer.start({
      signaling: 'ws://offline.invalid',
      room: 'bigmatrix-test',
      kind: 'node',
      rtc: nodeRtc,
      WebSocket: NoSignaling,
      blobStorage: new MemoryBlobStore(),
      workers: 1,
    })
    const swarm = assembleSwarm({ peer, executor: new MemoryExecutor(), workers: 1 })
    open.push(swarm)
    return swarm
  }
}
