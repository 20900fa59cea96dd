// A host that joins later and reads values and results by address and
// reference, printing them with the peers it could have fetched them from.
import { connect } from '@tessera/host'
import type { Address } from '@tessera/core'

const [signaling, room, wanted] = process.argv.slice(2) as [string, string, string]
const { values, refs } = JSON.parse(wanted) as { values: Address[]; refs: string[] }
const swarm = await connect({ signaling, room, workers: 0, cacheDir: false })
const signal = AbortSignal.timeout(20_000)
const read = {
  peers: swarm.peer.mesh.openPeers(),
  values: await Promise.all(values.map((address) => swarm.peer.values.get(address))),
  results: await Promise.all(refs.map((ref) => swarm.result(ref, { signal }))),
}
process.stdout.write(`${JSON.stringify(read)}\n`)
await swarm.close()
process.exit(0)
