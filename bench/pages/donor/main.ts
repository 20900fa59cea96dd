import { connect, type Swarm } from '@tessera/client'
import { ed25519Engine, useEd25519Engine } from '@tessera/core'
import { meteredEngine, type CryptoCounts } from '../../lib/crypto-meter.ts'

// A tab that donates its workers to the swarm named in the query; bench/dispatch.ts
// drives it through `window.benchDonor`.
const query = new URLSearchParams(location.search)
let swarm: Swarm | undefined
// Counts every signature this tab makes and checks (bench-only; see bench/lib/crypto-meter.ts).
const meter = meteredEngine(ed25519Engine())
useEd25519Engine(meter.engine)

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
  crypto: (): CryptoCounts & { engine: string } => ({ ...meter.counts(), engine: ed25519Engine().name }),
  async close(): Promise<void> {
    await swarm?.close()
  },
}

export type BenchDonorApi = typeof benchDonor
Object.assign(globalThis, { benchDonor })
