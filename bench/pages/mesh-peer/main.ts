import { startBrowserPeer, type MeshPeer } from '@tessera/mesh/browser'
import { RawChannelEnd } from '../../lib/raw-channel.ts'
import { BENCH_LINK_LIMITS, hasShape, type DocShape } from '../../lib/sized-doc.ts'

// The Chromium end of the transfer benchmarks; bench/late-join.ts drives it
// through `window.benchMesh`. Each join is a fresh peer with no stored data.
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
let rawEnd: RawChannelEnd | undefined

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(2)
  }
}

const benchMesh = {
  async rawAnswer(offer: string): Promise<string> {
    const { end, sdp } = await RawChannelEnd.answer({ RTCPeerConnection }, offer)
    rawEnd = end
    return sdp
  },
  closeRaw(): void {
    rawEnd?.close()
    rawEnd = undefined
  },
  async lateJoin(signaling: string, room: string, shape: DocShape): Promise<{ linkMs: number; syncMs: number }> {
    const started = performance.now()
    const peer: MeshPeer = await startBrowserPeer({ signaling, room, database: false, limits: BENCH_LINK_LIMITS, maintainMs: 300, syncIntervalMs: 1_000 })
    try {
      await until('a link', () => peer.mesh.openPeers().length > 0, 30_000)
      const linked = performance.now()
      await until('the whole document', () => hasShape(peer.swarm.doc, shape), 300_000)
      return { linkMs: linked - started, syncMs: performance.now() - linked }
    } finally {
      await peer.close()
    }
  },
}

export type BenchMeshApi = typeof benchMesh
Object.assign(globalThis, { benchMesh })
