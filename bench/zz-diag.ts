import { BigMatrix, matmul } from '@tessera/bigmatrix'
import { BenchSwarm } from './bigmatrix/swarm-run.ts'
const swarm = await BenchSwarm.start(2)
try {
  const { host } = swarm
  const donors = host.peer.presence.list().filter((p) => p.workers > 0).map((p) => p.peer).sort()
  console.log('donors', donors.map((d) => d.slice(0, 8)))
  const seed = 42
  const a = await BigMatrix.random(host, { shape: [2048, 2048], blockShape: [512, 512], params: { seed } })
  const b = await BigMatrix.random(host, { shape: [2048, 2048], blockShape: [512, 512], params: { seed: seed + 1 } })
  const [ra, rb] = await Promise.all([a.storedRefs(), b.storedRefs()])
  await new Promise((r) => setTimeout(r, 500))
  for (const [id] of host.peer.swarm.jobs) { const job = host.peer.swarm.job(id as never); console.log('job', job?.name, job?.quorum, job?.replication) }
  for (const [name, refs] of [['A', ra], ['B', rb]] as const) {
    for (const row of refs) console.log(name, row.map((ref) => host.peer.swarm.holdersOf(ref!['/']).map((p) => donors.indexOf(p)).join('')).join(' '))
  }
  const g = await swarm.timed(() => matmul(a, b))
  console.log('gemm', JSON.stringify({ fetched: g.breakdown.remoteBytes / 2 ** 20, tasks: g.breakdown.tasksPerDonor, per: g.breakdown.perDonor.map((d) => d.remoteBytes / 2 ** 20) }))
} finally {
  await swarm.close()
}
