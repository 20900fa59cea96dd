import { potrf, potrfUnblocked, trsmLowerTranspose, trsmUnblocked } from '../kernels/cholesky.ts'
import { gemmInto, gemmStrided, transposeBlock } from '../kernels/gemm.ts'
import { simdGemm } from '../kernels/gemm-simd.ts'
import { GEMM_SIMD_WASM } from '../kernels/gemm-simd-bytes.ts'

/** The kernels every block task carries, by name (kernels call each other by these names). */
const KERNELS = { gemmStrided, gemmInto, transposeBlock, potrfUnblocked, trsmUnblocked, potrf, trsmLowerTranspose, simdGemm }
export type Kernels = Omit<typeof KERNELS, 'simdGemm'>

/**
 * Builds a self-contained task function from a body that calls kernels: each
 * kernel's own source is declared inside the function under its name, so the
 * source text a donor receives has everything it runs. (A pure function cannot import or close over
 * anything; this keeps each kernel written, tested and benchmarked once.)
 * The result is an ordinary keyword-only function for `swarm.pure`.
 *
 * The GEMM the body gets (`kernels.gemmStrided`, `kernels.gemmInto`) is the
 * WebAssembly SIMD one where the realm can compile it (about 3–4× the
 * JavaScript kernel in Node and Chromium, docs/bigmatrix-kernels.md), else the
 * JavaScript one; both give the same bits. The module's bytes travel in the
 * source as a literal and are compiled once per run.
 */
export function blockTask<A, R>(body: (args: A, kernels: Kernels) => R): (args: A) => R {
  // Each kernel is declared under the name its own source uses (a bundler may
  // have renamed it, and the other kernels then call it by that name).
  const kernels = Object.entries(KERNELS).map(([name, fn]) => {
    const source = Function.prototype.toString.call(fn)
    const declared = /^function\s+([\w$]+)/.exec(source)?.[1] ?? name
    return { name, declared, source }
  })
  const declared = (name: string): string => kernels.find((k) => k.name === name)?.declared ?? name
  const declarations = kernels.map((k) => `const ${k.declared} = ${k.source};`).join('\n')
  const gemm = `const gemmFast = ${declared('simdGemm')}([${GEMM_SIMD_WASM.join(',')}], ${declared('gemmStrided')}) ?? ${declared('gemmStrided')};`
  const table = kernels
    .filter((k) => k.name !== 'simdGemm' && k.name !== 'gemmStrided' && k.name !== 'gemmInto')
    .map((k) => `${k.name}: ${k.declared}`)
    .concat(['gemmStrided: gemmFast', 'gemmInto: (m, n, k, a, b, c, alpha) => gemmFast(m, n, k, a, 0, k, b, 0, n, c, 0, n, alpha)'])
    .join(', ')
  // The kernels are made on a task's first run in a worker and kept on the function itself for its later
  // runs there: the SIMD GEMM's compiled module and its memory, which a run would otherwise make afresh
  // (6 MiB of new pages for 512² blocks, 20–30 ms of page faults here, docs/blob-copies.md). Only scratch
  // is kept: each call writes every byte of the memory it reads, so results do not depend on earlier runs.
  const source = `function blockTaskRun(args) {\nconst kernels = blockTaskRun.kernels ?? (blockTaskRun.kernels = (() => {\n${declarations}\n${gemm}\nreturn { ${table} };\n})());\nreturn (${Function.prototype.toString.call(body)})(args, kernels);\n}`
  return new Function(`"use strict";\nreturn ${source}`)() as (args: A) => R
}
