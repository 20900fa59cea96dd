// The dispatch baseline: one tab posting tasks, one message each, round robin,
// to a plain pool of Web Workers, and waiting for every reply.
const size = Number(new URLSearchParams(location.search).get('workers') ?? 2)
const workers = Array.from({ length: size }, () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }))

function runTasks(count: number): Promise<{ ms: number; checksum: number }> {
  return new Promise((resolve) => {
    const values = new Float64Array(count)
    let done = 0
    const t0 = performance.now()
    for (const worker of workers) {
      worker.onmessage = (event: MessageEvent<{ i: number; value: number }>) => {
        values[event.data.i] = event.data.value
        if (++done === count) {
          const ms = performance.now() - t0
          let checksum = 0
          for (let i = 0; i < count; i++) checksum += values[i] === i * i ? 1 : 0
          resolve({ ms, checksum })
        }
      }
    }
    for (let i = 0; i < count; i++) (workers[i % size] as Worker).postMessage({ i, args: { x: i } })
  })
}

const workerPool = { size, runTasks }
export type WorkerPoolApi = typeof workerPool
Object.assign(globalThis, { workerPool })
