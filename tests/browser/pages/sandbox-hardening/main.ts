import { SandboxedExecutor, WebWorkerExecutor } from '@tessera/client'
import { functionAddress, type Execution, type Executor, type PureFunctionSource } from '@tessera/core'
import { GEMM_SIMD_WASM, gemmStrided, simdGemm } from '@tessera/bigmatrix/kernels'

export interface HardeningOutcome {
  poison: Execution
  victim: Execution
  overrides: Execution
  perTaskMs: { hardened: number }
  /** BigMatrix's WebAssembly SIMD GEMM in the hardened worker: which GEMM ran, and whether its product has the JS kernel's bits. */
  simd: { kernel: string; sameBits: boolean } | Execution
}

export interface SandboxHardeningPage {
  /** Per executor: the sandboxed iframe's workers (donate page, embed) and the plain Web Workers of a page's `connect()`. */
  outcome?: { sandboxed: HardeningOutcome; webWorker: HardeningOutcome }
  fatal?: string
}

/** Raw source, as a stranger's task arrives. */
function fromSource(name: string, source: string): PureFunctionSource {
  return { name, source, address: functionAddress(name, source) }
}

const poison = fromSource(
  'poison',
  `() => {
    const changed = []
    const attempts = {
      'Math.sqrt': () => { Math.sqrt = () => 42 },
      'Array.prototype.map': () => { Array.prototype.map = () => [] },
      'Object.prototype.x': () => { Object.prototype.x = 1 },
      'globalThis.shared': () => { globalThis.shared = 'poisoned' },
      'JSON.parse': () => { JSON.parse = () => 42 },
      'iterator next': () => { Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true }) },
      'self.postMessage': () => { self.postMessage = () => {} },
    }
    for (const [name, attempt] of Object.entries(attempts)) { try { attempt(); changed.push(name) } catch {} }
    return changed
  }`,
)
const victim = fromSource(
  'victim',
  `() => [Math.sqrt(16), [1, 2].map((x) => x * 2).length, ({}).x === undefined, typeof globalThis.shared, JSON.parse('7'), [...[1, 2, 3]].length]`,
)
const overrides = fromSource(
  'overrides',
  `() => { class DomainError extends Error { constructor(m) { super(m); this.name = 'DomainError' } }; const o = {}; o.toString = () => 'o'; return [new DomainError('x').name, String(o)] }`,
)
const trivial = fromSource('trivial', `({ x }) => x + 1`)
// The kernels as a block task carries them: declared inside, the module's bytes as a literal.
const simdProbe = fromSource(
  'simdProbe',
  `({ m, n, k, a, b }) => {
    const gemmStrided = ${Function.prototype.toString.call(gemmStrided)};
    const simdGemm = ${Function.prototype.toString.call(simdGemm)};
    const gemm = simdGemm([${GEMM_SIMD_WASM.join(',')}], gemmStrided);
    const c = new Float64Array(m * n);
    (gemm ?? gemmStrided)(m, n, k, a, 0, k, b, 0, n, c, 0, n, 1);
    return { kernel: gemm === null ? 'js' : 'simd', c };
  }`,
)

async function runSimd(executor: Executor): Promise<HardeningOutcome['simd']> {
  const [m, n, k] = [13, 10, 9]
  const a = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i + 1))
  const b = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i + 1))
  const expected = new Float64Array(m * n)
  gemmStrided(m, n, k, a, 0, k, b, 0, n, expected, 0, n, 1)
  const run = await executor.run(simdProbe, { m, n, k, a: a.slice(), b: b.slice() }, { timeoutMs: 10_000 })
  if (run.kind !== 'value') return run
  const { kernel, c } = run.value as { kernel: string; c: Float64Array }
  return { kernel, sameBits: c.length === expected.length && c.every((x, i) => Object.is(x, expected[i])) }
}

async function attack(executor: Executor): Promise<HardeningOutcome> {
  const limit = { timeoutMs: 10_000 }
  try {
    const first = await executor.run(poison, {}, limit)
    const second = await executor.run(victim, {}, limit)
    const third = await executor.run(overrides, {}, limit)
    await executor.run(trivial, { x: 0 }, limit)
    const started = performance.now()
    for (let i = 0; i < 200; i++) await executor.run(trivial, { x: i }, limit)
    const perTaskMs = { hardened: (performance.now() - started) / 200 }
    return { poison: first, victim: second, overrides: third, perTaskMs, simd: await runSimd(executor) }
  } finally {
    await executor.close()
  }
}

async function main(): Promise<NonNullable<SandboxHardeningPage['outcome']>> {
  return { sandboxed: await attack(new SandboxedExecutor({ workers: 1 })), webWorker: await attack(new WebWorkerExecutor({ workers: 1 })) }
}

main().then(
  (outcome) => ((globalThis as SandboxHardeningPage).outcome = outcome),
  (error: unknown) => ((globalThis as SandboxHardeningPage).fatal = String(error)),
)
