import { Worker } from 'node:worker_threads'

/**
 * The machine's own parallel capacity, measured in the same run: the same pure
 * function on plain worker_threads, no swarm at all. When other load leaves
 * less than two free cores, this shows it, and the swarm cannot do better.
 */
export async function threadSpeedup(fn: (args: { n: number; seed: number }) => number, n: number, tasks: number): Promise<{ oneMs: number; twoMs: number; speedup: number }> {
  const code = `const { parentPort } = require('node:worker_threads'); const fn = ${fn.toString()}; parentPort.on('message', (args) => parentPort.postMessage(fn(args)))`
  const run = async (threads: number): Promise<number> => {
    const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true }))
    try {
      // Warm each thread's JIT before timing.
      await Promise.all(workers.map((w) => roundTrip(w, { n: Math.round(n / 10), seed: 0 })))
      const t0 = performance.now()
      await Promise.all(
        workers.map(async (worker, w) => {
          for (let i = w; i < tasks; i += threads) await roundTrip(worker, { n, seed: i + 1 })
        }),
      )
      return performance.now() - t0
    } finally {
      await Promise.all(workers.map((w) => w.terminate()))
    }
  }
  const first = await run(1)
  const twoMs = await run(2)
  const oneMs = (first + (await run(1))) / 2
  return { oneMs, twoMs, speedup: oneMs / twoMs }
}

function roundTrip(worker: Worker, args: { n: number; seed: number }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // Each listener takes the other with it, or every round trip left one behind (Node warned past ten).
    const onError = (error: Error): void => {
      worker.off('message', onMessage)
      reject(error)
    }
    const onMessage = (value: unknown): void => {
      worker.off('error', onError)
      resolve(value)
    }
    worker.once('message', onMessage)
    worker.once('error', onError)
    worker.postMessage(args)
  })
}
