import { randomBytes } from 'node:crypto'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'

/** The failure detection the e2e tests use: a benchmark must not wait 5 s for a dead link. */
export const BENCH_REPLICATION = { limits: { heartbeatMs: 300, deadAfterMs: 2_000 }, syncIntervalMs: 1_000 } as const

/** A room nobody else uses, so nothing from an earlier run or another bench is reused. */
export const freshRoom = (what: string): string => `bench-${what}-${randomBytes(4).toString('hex')}`

/** A salt for function names and arguments: a fresh address, so no cache anywhere can answer. */
export const salt = (): string => randomBytes(6).toString('hex')

export async function startBenchSignaling(): Promise<SignalingServer> {
  return startSignalingServer({ port: 0 })
}

export async function connectHost(signaling: SignalingServer, room: string, workers: number): Promise<Swarm> {
  return connect({ signaling: signaling.url, room, workers, cacheDir: false, replication: BENCH_REPLICATION })
}
