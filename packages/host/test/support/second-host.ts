// A second host in a process of its own: it joins the swarm, asks for work the
// first host already did, and says how much came from the cache.
import { connect } from '@tessera/host'

const [signaling, room, count] = process.argv.slice(2) as [string, string, string]
const swarm = await connect({ signaling, room, workers: 0, cacheDir: false })
const square = swarm.pure(({ x }: { x: number }) => x * x, { name: 'square' })
// Wait for the swarm document to arrive before asking: a cold peer knows nothing yet.
const deadline = Date.now() + 20_000
while (swarm.status().cacheEntries < Number(count) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
let cached = 0
const results = await square.parallel(
  Array.from({ length: Number(count) }, (_, x) => ({ x })),
  { onProgress: (p) => (cached = p.cached) },
)
process.stdout.write(`${JSON.stringify({ results, cached, entries: swarm.status().cacheEntries, address: square.definition.address })}\n`)
await swarm.close()
process.exit(0)
