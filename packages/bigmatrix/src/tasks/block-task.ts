import { potrf, potrfUnblocked, trsmLowerTranspose, trsmUnblocked } from '../kernels/cholesky.ts'
import { gemmInto, gemmStrided, transposeBlock } from '../kernels/gemm.ts'

/** The kernels every block task carries, by name (kernels call each other by these names). */
const KERNELS = { gemmStrided, gemmInto, transposeBlock, potrfUnblocked, trsmUnblocked, potrf, trsmLowerTranspose }
export type Kernels = typeof KERNELS

/**
 * Builds a self-contained task function from a body that calls kernels: each
 * kernel's own source is declared inside the function under its name, so the
 * source text a donor receives has everything it runs. (A pure function cannot import or close over
 * anything; this keeps each kernel written, tested and benchmarked once.)
 * The result is an ordinary keyword-only function for `swarm.pure`.
 */
export function blockTask<A, R>(body: (args: A, kernels: Kernels) => R): (args: A) => R {
  // Each kernel is declared under the name its own source uses (a bundler may
  // have renamed it, and the other kernels then call it by that name).
  const kernels = Object.entries(KERNELS).map(([name, fn]) => {
    const source = Function.prototype.toString.call(fn)
    const declared = /^function\s+([\w$]+)/.exec(source)?.[1] ?? name
    return { name, declared, source }
  })
  const declarations = kernels.map((k) => `const ${k.declared} = ${k.source};`).join('\n')
  const table = kernels.map((k) => `${k.name}: ${k.declared}`).join(', ')
  const source = `(args) => {\n${declarations}\nconst kernels = { ${table} };\nreturn (${Function.prototype.toString.call(body)})(args, kernels);\n}`
  return new Function(`"use strict";\nreturn ${source}`)() as (args: A) => R
}
