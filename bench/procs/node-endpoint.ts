// The far end of the Node transfer benchmarks, in a process of its own so that
// sender and receiver do not share an event loop. Reads one JSON command a
// line on stdin and answers each with one JSON line:
//   {"cmd":"raw-answer","offer":sdp}                         → {"sdp":…}   (then receives and acks)
//   {"cmd":"cpu"}                                            → {"cpuMs":…} (this process's CPU time so far)
//   {"cmd":"late-join","signaling":…,"room":…,"shape":{…}}   → {"linkMs":…,"syncMs":…,"cpuMs":…}
//   {"cmd":"fetch-blobs","signaling":…,"room":…,"addresses":[…],"concurrency":n} → {"linkMs":…,"fetchMs":…,"bytes":…,"cpuMs":…}
import { createInterface } from 'node:readline'
import type { Address } from '@tessera/core'
import { nodeRtc, startNodePeer, type MeshPeer } from '@tessera/mesh/node'
import { RawChannelEnd } from '../lib/raw-channel.ts'
import { BENCH_LINK_LIMITS, hasShape, type DocShape } from '../lib/sized-doc.ts'

type Command =
  | { cmd: 'raw-answer'; offer: string }
  | { cmd: 'cpu' }
  | { cmd: 'late-join'; signaling: string; room: string; shape: DocShape }
  | { cmd: 'fetch-blobs'; signaling: string; room: string; addresses: Address[]; concurrency: number }

const raw: RawChannelEnd[] = []
/** CPU time of this whole process (its WebRTC threads too) since `start`, ms. */
function cpuMsSince(start?: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start)
  return (user + system) / 1000
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(2)
  }
}

async function freshPeer(signaling: string, room: string): Promise<{ peer: MeshPeer; started: number; linkMs: number }> {
  const started = performance.now()
  const peer = await startNodePeer({
    signaling,
    room,
    dir: false,
    limits: BENCH_LINK_LIMITS,
    maintainMs: 300,
    syncIntervalMs: 1_000,
    // A link lost mid-transfer fails or stalls the figure: say why on stderr, which the bench prints.
    events: { linkClosed: (from, reason, detail) => reason !== 'local' && process.stderr.write(`link to ${from} closed (${reason}${detail === undefined ? '' : `: ${String(detail)}`})\n`) },
  })
  await until('a link', () => peer.mesh.openPeers().length > 0, 30_000)
  return { peer, started, linkMs: performance.now() - started }
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'cpu':
      return { cpuMs: cpuMsSince() }
    case 'raw-answer': {
      const { end, sdp } = await RawChannelEnd.answer(nodeRtc, command.offer)
      raw.push(end)
      return { sdp }
    }
    case 'late-join': {
      const { peer, linkMs } = await freshPeer(command.signaling, command.room)
      const linked = performance.now()
      const cpu0 = process.cpuUsage()
      try {
        await until('the whole document', () => hasShape(peer.swarm.doc, command.shape), 300_000)
        return { linkMs, syncMs: performance.now() - linked, cpuMs: cpuMsSince(cpu0) }
      } finally {
        await peer.close()
      }
    }
    case 'fetch-blobs': {
      const { peer, linkMs } = await freshPeer(command.signaling, command.room)
      try {
        await until('the value index', () => command.addresses.every((a) => peer.swarm.value(a) !== undefined), 60_000)
        const queue = [...command.addresses]
        let bytes = 0
        const cpu0 = process.cpuUsage()
        const t0 = performance.now()
        await Promise.all(
          Array.from({ length: command.concurrency }, async () => {
            for (let address = queue.shift(); address !== undefined; address = queue.shift()) {
              const blob = await peer.blobs.get(address)
              if (blob === undefined) throw new Error(`no blob ${address}`)
              bytes += blob.byteLength
            }
          }),
        )
        return { linkMs, fetchMs: performance.now() - t0, bytes, cpuMs: cpuMsSince(cpu0) }
      } finally {
        await peer.close()
      }
    }
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  handle(JSON.parse(line) as Command).then(
    (answer) => process.stdout.write(`${JSON.stringify(answer)}\n`),
    (error: unknown) => process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`),
  )
})
process.on('SIGTERM', () => {
  for (const end of raw) end.close()
  process.exit(0)
})
process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
