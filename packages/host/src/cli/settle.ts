import type { Swarm } from '@tessera/runtime'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** How long the room must look the same before a brief visitor trusts what it sees. */
const QUIET_MS = 700

/**
 * For a peer that joins only to look (`tessera status`, `tessera stop`): waits
 * until another peer shows up (at most `waitMs`), then until the peers and
 * jobs it sees stop changing for a moment, as the swarm document arrives
 * (at most `waitMs` more).
 */
export async function settle(swarm: Swarm, waitMs: number): Promise<void> {
  const start = Date.now()
  while (Date.now() - start < waitMs && swarm.peer.presence.list().length < 2) await sleep(100)
  const fingerprint = (): string =>
    JSON.stringify([swarm.peer.presence.list().map((p) => p.peer).sort(), swarm.jobs().map((job) => [job.id, job.state, job.total])])
  let last = fingerprint()
  let quietSince = Date.now()
  const deadline = Date.now() + waitMs
  while (Date.now() - quietSince < QUIET_MS && Date.now() < deadline) {
    await sleep(100)
    const now = fingerprint()
    if (now !== last) {
      last = now
      quietSince = Date.now()
    }
  }
}
