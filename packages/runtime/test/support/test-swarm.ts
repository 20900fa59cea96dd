import { MemoryExecutor, type Execution, type Executor, type KeywordArgs, type PureFunctionSource, type RunOptions } from '@tessera/core'
import { startNodePeer, type MeshPeer } from '@tessera/mesh/node'
import { assembleSwarm, type Swarm } from '@tessera/runtime'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { afterEach } from 'vitest'

/** An executor that counts what it runs: memoization is asserted by counting, never by timing. */
export class CountingExecutor implements Executor {
  runs = 0
  constructor(readonly inner: Executor = new MemoryExecutor()) {}

  async run(fn: PureFunctionSource, args: KeywordArgs, options: RunOptions): Promise<Execution> {
    this.runs++
    return this.inner.run(fn, args, options)
  }
  close(): Promise<void> {
    return this.inner.close()
  }
}

export interface TestSwarms {
  readonly signaling: SignalingServer
  /** A host or donor on this test's signaling server, closed after the test. */
  connect(options?: { workers?: number; executor?: Executor; dir?: string | false }): Promise<Swarm<MeshPeer>>
}

export function useSwarms(): () => Promise<TestSwarms> {
  let signaling: SignalingServer | undefined
  const open: Swarm<MeshPeer>[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
    await signaling?.close()
    signaling = undefined
  })
  return async () => {
    const server = (signaling ??= await startSignalingServer({ port: 0 }))
    return {
      signaling: server,
      async connect(options = {}) {
        const workers = options.workers ?? 0
        const peer = await startNodePeer({
          signaling: server.url,
          room: 'api',
          dir: options.dir ?? false,
          workers,
          limits: { heartbeatMs: 300, deadAfterMs: 2_000 },
          maintainMs: 300,
          syncIntervalMs: 1_000,
          presenceIntervalMs: 500,
        })
        const executor = workers > 0 ? (options.executor ?? new CountingExecutor()) : undefined
        const swarm = assembleSwarm({ peer, workers, maxValueBytes: 1024 * 1024, ...(executor === undefined ? {} : { executor }) })
        open.push(swarm)
        return swarm
      },
    }
  }
}

/** Polls `check` every 25 ms until it holds; throws after `ms`. */
export async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 25))
  }
}
