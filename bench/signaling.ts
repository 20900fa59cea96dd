/**
 * Section `signaling`: WebSocket clients joining rooms of 10 and relaying to
 * each other, on 3 signaling instances sharing rooms through Redis (a real
 * redis-server), and on one instance alone, against the y-webrtc reference
 * server (its bin/server.js) with the same clients in the same run.
 *
 * Join latency: subscribe sent → `subscribed` (ours; with a key id proven on
 * the connection's challenge), or subscribe + ping sent → pong (y-webrtc, which
 * answers subscribe with nothing). Relay latency: a publish to one member of
 * the room → its arrival (ours routes it to that member, across instances when
 * it is elsewhere; y-webrtc hands it to the whole room). Memory: the servers'
 * resident memory after the clients joined, less before, per client.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { WebSocket } from 'ws'
import { Identity, issueSubjectCertificate, verifyPeerSignature } from '@tessera/core'
import '@tessera/mesh/node'
import { peerBindingMessage } from '@tessera/signaling/protocol'
import { freePort, startTestRedis, type TestRedis } from '@tessera/signaling/testing'
import { ChildScript } from './lib/child.ts'
import type { BenchFigure, BenchOptions, BenchSection } from './lib/section.ts'
import { quantile, round3, sleep, waitUntil } from './lib/stats.ts'

const ROOM_SIZE = 10
const BATCH = 100
const SECRET = 'bench-signaling-secret-0123456789'

interface Server {
  readonly url: string
  readonly pid: number
  stop(): Promise<void>
}

interface Run {
  readonly label: string
  readonly servers: number
  readonly clients: number
  readonly joinP50: number
  readonly joinP99: number
  readonly relayP50: number
  readonly relayP99: number
  readonly relays: number
  readonly bytesPerClient: number
  readonly seconds: number
}

/** A client socket with a queue of parsed frames and waiters on them. */
class Client {
  readonly frames: Array<Record<string, unknown>> = []
  #wake: (() => void) | undefined
  readonly identity: Identity

  private constructor(readonly ws: WebSocket, readonly room: string, seed: string) {
    this.identity = Identity.fromSeed(seed)
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Record<string, unknown>)
      this.#wake?.()
    })
    ws.on('error', () => {})
  }

  static async open(url: string, room: string, seed: string): Promise<Client> {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    const client = new Client(ws, room, seed)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return client
  }

  /** Takes the first frame matching `test`, waiting for it. */
  async take(test: (frame: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const index = this.frames.findIndex(test)
      if (index >= 0) return this.frames.splice(index, 1)[0] as Record<string, unknown>
      if (Date.now() > deadline) throw new Error(`no frame within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame))
  }
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? Number.NaN : Number(match[1]) * 1024
}


async function startOurs(redis: TestRedis | undefined): Promise<Server> {
  const child = ChildScript.start('procs/signaling-instance.ts', [redis?.url ?? '-', SECRET])
  const { url, pid } = await child.next<{ url: string; pid: number }>(30_000)
  return { url, pid, stop: () => child.stop() }
}

async function startYWebrtc(): Promise<Server> {
  const script = path.join(path.dirname(createRequire(import.meta.url).resolve('y-webrtc')), '..', 'bin', 'server.js')
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, [script], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`y-webrtc's server exited with ${code}`)))
  })
  const pid = child.pid ?? 0
  return {
    url: `ws://127.0.0.1:${port}`,
    pid,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** Joins every client (a batch at a time), times each join, then relays and times that. */
async function measure(label: string, servers: readonly Server[], count: number, flavour: 'ours' | 'y-webrtc'): Promise<Run> {
  const started = performance.now()
  await sleep(300)
  const before = servers.map((server) => rssBytes(server.pid))
  const clients: Client[] = []
  const joins: number[] = []
  for (let first = 0; first < count; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - first) }, (_, k) => first + k)
    // Untimed: connecting, and this side's key work (deriving keys, signing each challenge), so
    // the bench process's own CPU does not sit inside the timed joins.
    const ready = await Promise.all(
      batch.map(async (i) => {
        // Consecutive clients share a room and sit on different instances: every room spans them.
        const client = await Client.open((servers[i % servers.length] as Server).url, `room-${Math.floor(i / ROOM_SIZE)}`, `bench-signaling ${i}`)
        clients[i] = client
        if (flavour === 'y-webrtc') return { client, subscribe: [{ type: 'subscribe', topics: [client.room] }, { type: 'ping' }], answer: 'pong' }
        const welcome = await client.take((f) => f['type'] === 'welcome')
        const proof = client.identity.sign(peerBindingMessage(String(welcome['challenge'])))
        return { client, subscribe: [{ type: 'subscribe', topics: [client.room], peer: client.identity.peer, proof }], answer: 'subscribed' }
      }),
    )
    await Promise.all(
      ready.map(async ({ client, subscribe, answer }) => {
        const t0 = performance.now()
        for (const frame of subscribe) client.send(frame)
        await client.take((f) => f['type'] === answer)
        joins.push(performance.now() - t0)
      }),
    )
  }
  await sleep(500)
  const after = servers.map((server) => rssBytes(server.pid))
  const grown = after.reduce((sum, bytes, i) => sum + bytes - (before[i] as number), 0)

  // Relays: member i to member i+1 of its room (on the next instance), a batch at a time.
  for (const client of clients) client.frames.length = 0
  const relays: number[] = []
  const senders = clients.map((_, i) => i).filter((i) => i % ROOM_SIZE !== ROOM_SIZE - 1 && i + 1 < count)
  const chosen = senders.slice(0, Math.min(senders.length, 2_000))
  for (let first = 0; first < chosen.length; first += BATCH / 2) {
    await Promise.all(
      chosen.slice(first, first + BATCH / 2).map(async (i) => {
        const from = clients[i] as Client
        const to = clients[i + 1] as Client
        const nonce = `${i}-${Math.random()}`
        const t0 = performance.now()
        const data = { type: 'signal', to: to.identity.peer, nonce }
        from.send({ type: 'publish', topic: from.room, ...(flavour === 'ours' ? { to: to.identity.peer } : {}), data })
        await to.take((f) => f['type'] === 'publish' && (f['data'] as { nonce?: string } | undefined)?.nonce === nonce)
        relays.push(performance.now() - t0)
      }),
    )
  }
  for (const client of clients) client.ws.terminate()
  await waitUntil('sockets closed', () => clients.every((c) => c.ws.readyState === WebSocket.CLOSED), 10_000)
  return {
    label,
    servers: servers.length,
    clients: count,
    joinP50: round3(quantile(joins, 0.5)),
    joinP99: round3(quantile(joins, 0.99)),
    relayP50: round3(quantile(relays, 0.5)),
    relayP99: round3(quantile(relays, 0.99)),
    relays: relays.length,
    bytesPerClient: Math.round(grown / count),
    seconds: round3((performance.now() - started) / 1000),
  }
}

/** What a join costs the server in keys alone: checking the proof and signing the certificate (ms, median of 200). */
function keyWorkPerJoinMs(): number {
  const issuer = Identity.fromSeed('bench-signaling issuer')
  const peers = Array.from({ length: 200 }, (_, i) => Identity.fromSeed(`bench-signaling key-work ${i}`))
  const message = peerBindingMessage('a-challenge-of-the-usual-length-32')
  const proofs = peers.map((peer) => peer.sign(message))
  const times = peers.map((peer, i) => {
    const t0 = performance.now()
    verifyPeerSignature(peer.peer, message, proofs[i] as string)
    issueSubjectCertificate(issuer, { peer: peer.peer, subject: 'net:bench', room: 'room', notBefore: Date.now(), notAfter: Date.now() + 3_600_000 })
    return performance.now() - t0
  })
  return round3(quantile(times, 0.5))
}

const kib = (run: Run): number => round3(run.bytesPerClient / 1024)

async function withServers(start: () => Promise<Server[]>, body: (servers: Server[]) => Promise<Run>): Promise<Run> {
  const servers = await start()
  try {
    return await body(servers)
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }
}

export async function runSignalingBench(options: BenchOptions): Promise<BenchSection> {
  const spread = options.quick ? 100 : 5_000
  const single = 10_000
  const redis = await startTestRedis()
  const runs: Run[] = []
  try {
    runs.push(await withServers(async () => Promise.all([startOurs(redis), startOurs(redis), startOurs(redis)]), (s) => measure(`tessera, 3 instances on Redis`, s, spread, 'ours')))
    runs.push(await withServers(async () => [await startYWebrtc()], (s) => measure('y-webrtc server', s, spread, 'y-webrtc')))
    // The smoke run proves the section runs; one instance alone is the same code with no bus.
    if (!options.quick) {
      runs.push(await withServers(async () => [await startOurs(undefined)], (s) => measure('tessera, 1 instance', s, single, 'ours')))
      runs.push(await withServers(async () => [await startYWebrtc()], (s) => measure('y-webrtc server', s, single, 'y-webrtc')))
    }
  } finally {
    await redis.stop()
  }
  const [cluster, baseline, alone, baselineAlone] = runs as [Run, Run, Run | undefined, Run | undefined]
  const vs = (value: number, base: number, unit: string, label: string) => ({ baseline: { label, value: base, unit }, ratio: round3(value / base) })
  const figures: BenchFigure[] = [
    { id: 'signaling.join-p50-3x', title: `Join p50, ${spread.toLocaleString('en')} clients on 3 instances (Redis)`, value: cluster.joinP50, unit: 'ms', ...vs(cluster.joinP50, baseline.joinP50, 'ms', `y-webrtc, ${spread} clients`) },
    { id: 'signaling.join-p99-3x', title: `Join p99, ${spread.toLocaleString('en')} clients on 3 instances (Redis)`, value: cluster.joinP99, unit: 'ms', ...vs(cluster.joinP99, baseline.joinP99, 'ms', `y-webrtc, ${spread} clients`) },
    { id: 'signaling.relay-p50-3x', title: 'Relay p50 to a room member on another instance', value: cluster.relayP50, unit: 'ms', ...vs(cluster.relayP50, baseline.relayP50, 'ms', 'y-webrtc, room broadcast') },
    { id: 'signaling.relay-p99-3x', title: 'Relay p99 to a room member on another instance', value: cluster.relayP99, unit: 'ms', ...vs(cluster.relayP99, baseline.relayP99, 'ms', 'y-webrtc, room broadcast') },
    { id: 'signaling.memory-3x', title: 'Server memory per client, 3 instances', value: kib(cluster), unit: 'KiB', ...vs(kib(cluster), kib(baseline), 'KiB', 'y-webrtc') },
  ]
  if (alone !== undefined && baselineAlone !== undefined) {
    figures.push(
      { id: 'signaling.join-p50-1x', title: `Join p50, ${single.toLocaleString('en')} clients on 1 instance`, value: alone.joinP50, unit: 'ms', ...vs(alone.joinP50, baselineAlone.joinP50, 'ms', `y-webrtc, ${single} clients`) },
      { id: 'signaling.join-p99-1x', title: `Join p99, ${single.toLocaleString('en')} clients on 1 instance`, value: alone.joinP99, unit: 'ms', ...vs(alone.joinP99, baselineAlone.joinP99, 'ms', `y-webrtc, ${single} clients`) },
      { id: 'signaling.relay-p50-1x', title: `Relay p50, ${single.toLocaleString('en')} clients on 1 instance`, value: alone.relayP50, unit: 'ms', ...vs(alone.relayP50, baselineAlone.relayP50, 'ms', 'y-webrtc, room broadcast') },
      { id: 'signaling.memory-1x', title: `Server memory per client, ${single.toLocaleString('en')} on 1 instance`, value: kib(alone), unit: 'KiB', ...vs(kib(alone), kib(baselineAlone), 'KiB', 'y-webrtc') },
    )
  }
  const keyWork = keyWorkPerJoinMs()
  const rows = runs.map((r) => `| ${r.label} | ${r.servers} | ${r.clients.toLocaleString('en')} | ${r.joinP50} / ${r.joinP99} | ${r.relayP50} / ${r.relayP99} (${r.relays}) | ${kib(r)} | ${r.seconds} |`)
  const markdown = [
    `Clients in rooms of ${ROOM_SIZE}, consecutive clients on consecutive instances (every room spans them). Ours bind key ids proven on each connection's challenge (native Ed25519); y-webrtc has no ids, and its join is timed as subscribe + ping → pong. Ratios are ours / y-webrtc: below 1 is better.`,
    '',
    `Joins are sent ${BATCH} at a time, so a join waits behind the others of its batch: the p50 is about half a batch of server work. Ours checks the proof and signs a subject certificate on every join (${keyWork} ms of key work per join on this machine, median), y-webrtc checks nothing; the rest is the room's announcements (with certificates) and, with Redis, the presence writes.`,
    '',
    '| server | processes | clients | join p50 / p99 ms | relay p50 / p99 ms (relays) | KiB per client | s |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n')
  return { id: 'signaling', title: 'Signaling: instances on Redis against the y-webrtc server', figures, markdown, data: runs }
}
