import { connect, type Swarm } from '@tessera/client'

// A tab that donates its workers to the swarm named in the query; bench/dispatch.ts
// drives it through `window.benchDonor`.
const query = new URLSearchParams(location.search)
let swarm: Swarm | undefined

const benchDonor = {
  async connect(): Promise<string> {
    swarm = await connect({
      signaling: query.get('signaling') ?? undefined,
      room: query.get('room') ?? 'default',
      workers: Number(query.get('workers') ?? 1),
      database: false,
      replication: { limits: { heartbeatMs: 300, deadAfterMs: 2_000 }, syncIntervalMs: 1_000 },
    })
    return swarm.peer.id
  },
  executed: (): number => swarm?.status().executed ?? 0,
  async close(): Promise<void> {
    await swarm?.close()
  },
}

export type BenchDonorApi = typeof benchDonor
Object.assign(globalThis, { benchDonor })
