// A peer of the deploy layout test in a process of its own, so that it can
// trust the test's self-signed certificate (NODE_EXTRA_CA_CERTS is read when
// Node starts). Relay-only ICE, so its links go through coturn.
//   donor <signaling> <room>: one worker; prints "ready <id> <its subject>",
//     then "executed <n>" every 100 ms.
//   submitter <signaling> <room> [<donor id>]: no workers; once linked to the
//     donor (if named) prints "ready <its subject> <the donor's subject or ->",
//     then answers stdin lines: "square <from> <count>" with
//     "results <json> cached <n>", "cache <n>" with "cache <n>" once its
//     result cache holds that many entries.
import { createInterface } from 'node:readline'
import { MemoryExecutor } from '@tessera/core'
import { connect } from '@tessera/host'

const [role, signaling, room, donorId] = process.argv.slice(2) as [string, string, string, string | undefined]
const donor = role === 'donor'
const swarm = await connect({
  signaling,
  room,
  cacheDir: false,
  iceTransportPolicy: 'relay',
  // One certified stranger's result is enough: this test checks the layout, not replication.
  adaptive: false,
  quorum: 1,
  ...(donor ? { workers: 1, executor: new MemoryExecutor() } : { workers: 0 }),
  replication: { limits: { heartbeatMs: 300, deadAfterMs: 3_000 }, syncIntervalMs: 500 },
})
process.on('SIGTERM', () => void swarm.close().then(() => process.exit(0)))
const roster = swarm.peer.mesh.roster
const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 25))
}
const self = swarm.peer.id
await until(() => roster.subjectOf(self) !== undefined)

if (donor) {
  process.stdout.write(`ready ${self} ${roster.subjectOf(self)}\n`)
  setInterval(() => process.stdout.write(`executed ${swarm.status().executed}\n`), 100)
} else {
  const other = donorId as typeof self | undefined
  if (other !== undefined) await until(() => swarm.peer.mesh.openPeers().includes(other) && roster.subjectOf(other) !== undefined)
  process.stdout.write(`ready ${roster.subjectOf(self)} ${other === undefined ? '-' : roster.subjectOf(other)}\n`)
  const square = swarm.pure(({ x }: { x: number }) => x * x, { name: 'square' })
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, ...numbers] = line.split(' ')
    const [a = 0, b = 0] = numbers.map(Number)
    if (command === 'cache') {
      await until(() => swarm.status().cacheEntries >= a)
      process.stdout.write(`cache ${a}\n`)
    } else {
      let cached = 0
      const results = await square.parallel(
        Array.from({ length: b }, (_, i) => ({ x: a + i })),
        { onProgress: (progress) => (cached = progress.cached) },
      )
      process.stdout.write(`results ${JSON.stringify(results)} cached ${cached}\n`)
    }
  }
}
