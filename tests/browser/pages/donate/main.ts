import { connect, type Swarm } from '@tessera/client'

// A tab that donates (workers > 0) or submits (workers = 0), as the query says.
// The test drives it through `window.donatePage`. `relay=1` links through TURN only.
const query = new URLSearchParams(location.search)
let swarm: Swarm | undefined

const need = (): Swarm => {
  if (swarm === undefined) throw new Error('not connected')
  return swarm
}

const donatePage = {
  async connect(): Promise<string> {
    swarm = await connect({
      signaling: query.get('signaling') ?? undefined,
      room: query.get('room') ?? 'default',
      workers: Number(query.get('workers') ?? 1),
      database: false,
      ...(query.get('relay') === '1' ? { iceTransportPolicy: 'relay' as const } : {}),
      replication: { limits: { heartbeatMs: 300, deadAfterMs: 2_000 }, syncIntervalMs: 1_000 },
    })
    return swarm.peer.id
  },
  status: () => need().status(),
  openPeers: () => need().peer.mesh.openPeers(),
  /** The candidate pair each open link selected, from Chromium's own ICE stats. */
  linkRoute: (peer: string) => need().peer.mesh.linkRoute(peer),
  /** A page submitting a job of its own, through @tessera/client. */
  async sumOfDivisors(upTo: number): Promise<number[]> {
    const fn = need().pure(
      ({ n }: { n: number }) => {
        let sum = 0
        for (let d = 1; d <= n; d++) if (n % d === 0) sum += d
        return sum
      },
      { name: 'sumOfDivisors', leaseMs: 3_000 },
    )
    return fn.parallel(Array.from({ length: upTo }, (_, i) => ({ n: i + 1 })))
  },
  /** A diamond of futures from a page: A, then B and C on A, then D on B and C; D's printed ref and its value. */
  async diamond(start: number): Promise<{ ref: string; value: unknown }> {
    const s = need()
    const inc = s.pure(({ x }: { x: number }) => x + 1, { name: 'inc' })
    const mul = s.pure(({ a, b }: { a: number; b: number }) => a * b, { name: 'mul' })
    const a = await inc.submit({ x: start })
    const graph = s.graph()
    const b = graph.add(inc, { x: a })
    const c = graph.add(mul, { a, b: 10 })
    graph.add(mul, { a: b, b: c })
    const d = (await graph.submit())[2] as Parameters<Swarm['result']>[0]
    return { ref: String(d), value: await s.result(d) }
  },
}

export type DonatePageApi = typeof donatePage
Object.assign(globalThis, { donatePage })
