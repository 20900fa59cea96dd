// A host that leaves large values behind: it puts three values over 1 KiB
// (blobs), submits three calls whose arguments and results are blobs too,
// waits for the results, prints what a later host should find, and stays
// (holding those blobs) until SIGTERM.
import { connect } from '@tessera/host'
import { INLINE_VALUE_LIMIT, type Address } from '@tessera/core'

const [signaling, room, tag] = process.argv.slice(2) as [string, string, string]
const swarm = await connect({ signaling, room, workers: 0, cacheDir: false })
const values: Address[] = []
for (const n of [1, 2, 3]) values.push(await swarm.peer.values.put({ n, tag, pad: `${n}`.repeat(3_000) }))
const widen = swarm.pure(({ n, pad }: { n: number; pad: string }) => ({ n, wide: `${pad}${pad}`.toUpperCase() }), { name: 'test:widen' })
const refs = await Promise.all([1, 2, 3].map((n) => widen.submit({ n, pad: `${tag}:${'a'.repeat(2_000)}` })))
await Promise.all(refs.map((ref) => swarm.result(ref)))
const blobs = [...swarm.peer.swarm.values.keys()].filter((key) => (swarm.peer.swarm.value(key as Address)?.size ?? 0) > INLINE_VALUE_LIMIT)
process.stdout.write(`${JSON.stringify({ values, refs, blobs })}\n`)
process.on('SIGTERM', () => void swarm.close().then(() => process.exit(0)))
setInterval(() => {}, 60_000)
