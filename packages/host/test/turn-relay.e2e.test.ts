import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryExecutor } from '@tessera/core'
import { connect, type ConnectOptions, type Swarm } from '@tessera/host'
import { nodeRtc } from '@tessera/mesh/node'
import { resolveTurn, turnCredential } from '@tessera/signaling'
import { startCoturn, type Coturn } from '../../../tests/support/coturn.ts'
import { tessera, type Child } from './support/processes.ts'

const TTL_SECONDS = 600
let coturn: Coturn | undefined
let serve: Child | undefined
let signaling = ''
let dir = ''
const swarms: Swarm[] = []

beforeAll(async () => {
  coturn = await startCoturn()
  dir = await mkdtemp(join(tmpdir(), 'tessera-turn-'))
  // The real command, as an operator runs it: the secret from the environment, where ps cannot see it.
  serve = tessera(['serve', '--port', '0', '--static', dir, '--turn-url', coturn.url, '--turn-ttl', String(TTL_SECONDS)], { TESSERA_TURN_SECRET: coturn.secret })
  const [, port] = await serve.line(/serving on http:\/\/localhost:(\d+)\//)
  await serve.line(new RegExp(`TURN: ${coturn.url}, a credential per client valid ${TTL_SECONDS} s`))
  signaling = `ws://127.0.0.1:${port}`
}, 60_000)

afterAll(async () => {
  await Promise.all(swarms.splice(0).map((swarm) => swarm.close()))
  await serve?.stop()
  await coturn?.stop()
  if (dir !== '') await rm(dir, { recursive: true, force: true })
})

async function host(options: ConnectOptions): Promise<Swarm> {
  const swarm = await connect({
    signaling,
    room: 'relay-only',
    cacheDir: false,
    iceTransportPolicy: 'relay',
    replication: { limits: { heartbeatMs: 300, deadAfterMs: 3_000 }, syncIntervalMs: 500 },
    ...options,
  })
  swarms.push(swarm)
  return swarm
}

/** Candidate types ICE gathers for a relay-only connection with these credentials. */
async function gatheredTypes(iceServers: RTCIceServer[]): Promise<string[]> {
  const pc = new nodeRtc.RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' })
  const types: string[] = []
  const done = new Promise<void>((resolve) => {
    pc.onicecandidate = (event) => {
      if (event.candidate === null) resolve()
      else types.push(/ typ (\w+)/.exec(event.candidate.candidate)?.[1] ?? '?')
    }
  })
  pc.createDataChannel('probe')
  await pc.setLocalDescription(await pc.createOffer())
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 5_000))])
  pc.close()
  return types
}

describe('TURN through a real coturn (relay-only ICE, credentials from tessera serve)', () => {
  it('two Node hosts run a job over a link relayed by coturn, with the credentials tessera serve handed each', async () => {
    const started = Date.now() / 1000
    const donor = await host({ workers: 1, executor: new MemoryExecutor() })
    const submitter = await host({ workers: 0 })
    const deadline = Date.now() + 15_000
    while (!submitter.peer.mesh.openPeers().includes(donor.peer.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))

    const square = submitter.pure(({ x }: { x: number }) => x * x, { name: 'square' })
    const args = Array.from({ length: 20 }, (_, x) => ({ x }))
    expect(await square.parallel(args)).toEqual(args.map(({ x }) => x * x))
    expect(donor.status().executed).toBe(20)

    // The path ICE chose, from each end's own stats: a relay candidate at both ends, never a host one.
    const relayed = { local: 'relay', remote: 'relay', relayProtocol: 'udp' }
    expect(await submitter.peer.mesh.linkRoute(donor.peer.id)).toEqual(relayed)
    expect(await donor.peer.mesh.linkRoute(submitter.peer.id)).toEqual(relayed)

    // coturn allocated relays, for usernames `<expiry>:<tag>` that expire TTL_SECONDS after they were handed out.
    const users = coturn?.allocations() ?? []
    expect(users.length).toBeGreaterThanOrEqual(2)
    for (const user of users) {
      const expiry = Number(user.split(':')[0])
      expect(expiry).toBeGreaterThanOrEqual(Math.floor(started) + TTL_SECONDS)
      expect(expiry).toBeLessThanOrEqual(Date.now() / 1000 + TTL_SECONDS)
    }
    // Each connection had its own credential: the two hosts' usernames differ.
    expect(new Set(users.map((user) => user.split(':')[1])).size).toBeGreaterThanOrEqual(2)
  })

  it('coturn refuses a credential past its expiry (no relay candidate), and takes a fresh one', async () => {
    if (coturn === undefined) throw new Error('not set up')
    const turn = resolveTurn({ urls: [coturn.url], secret: coturn.secret, ttlSeconds: 60 })
    const expired = turnCredential(turn, Date.now() - 120_000, 'expired')
    const fresh = turnCredential(turn, Date.now(), 'fresh')
    expect(await gatheredTypes([{ ...expired, urls: [...expired.urls] }])).toEqual([])
    expect(await gatheredTypes([{ ...fresh, urls: [...fresh.urls] }])).toContain('relay')
    expect(coturn.allocations()).toContain(fresh.username)
    expect(coturn.allocations()).not.toContain(expired.username)
  })
})
