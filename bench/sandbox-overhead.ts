import { definePure } from '@tessera/core'
import { IsolateExecutor, ThreadExecutor } from '@tessera/host'
const trivial = definePure(({ x }: { x: number }) => x + 1, { name: 'trivial' })
const busy = definePure(({ ms }: { ms: number }) => { const end = Date.now() + ms; let n = 0; while (Date.now() < end) n++; return n > 0 }, { name: 'busy50' })
async function measure(label: string, make: () => { run: ThreadExecutor['run']; close(): Promise<void> }) {
  const ex = make()
  const opts = { timeoutMs: 10_000 }
  await ex.run(trivial, { x: 1 }, opts); await ex.run(busy, { ms: 1 }, opts)
  let t = performance.now(); for (let i = 0; i < 1000; i++) await ex.run(trivial, { x: i }, opts)
  const seq = (performance.now() - t) / 1000
  t = performance.now(); await Promise.all(Array.from({ length: 4000 }, (_, i) => ex.run(trivial, { x: i }, opts)))
  const thr = 4000 / ((performance.now() - t) / 1000)
  t = performance.now(); await Promise.all(Array.from({ length: 20 }, () => ex.run(busy, { ms: 50 }, opts)))
  const b50 = (performance.now() - t) / 20
  console.log(`${label}: trivial ${seq.toFixed(3)} ms one at a time; ${thr.toFixed(0)} trivial tasks/s in flight; 50 ms task ${b50.toFixed(2)} ms each (20 tasks over 1 worker)`)
  await ex.close()
}
await measure('threads', () => new ThreadExecutor({ workers: 1 }))
await measure('isolates', () => new IsolateExecutor({ workers: 1 }))
await measure('threads', () => new ThreadExecutor({ workers: 1 }))
await measure('isolates', () => new IsolateExecutor({ workers: 1 }))
