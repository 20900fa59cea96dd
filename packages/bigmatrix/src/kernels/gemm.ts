import type { Block } from './block.ts'

/*
 * Every kernel is self-contained (no imports at run time, no outer variables;
 * it may call kernels of its own file by name): block tasks are shipped to
 * donors as source text, and `tasks/block-task.ts` declares every kernel, under
 * its own name, inside the task's body.
 */

/**
 * C (m×n) += alpha · A (m×k) · B (k×n), row-major, each operand given by an
 * offset and a row stride (BLAS's lda/ldb/ldc), so that sub-blocks are used in
 * place. Register-blocked 4×4: four columns of B are packed into a contiguous
 * panel (it stays in L1), and each 4×4 tile of C is kept in sixteen locals
 * while k runs, so every element loaded is used four times. Row and column
 * remainders take plain loops.
 */
export function gemmStrided(
  m: number, n: number, k: number,
  a: Block, aOff: number, lda: number,
  b: Block, bOff: number, ldb: number,
  c: Block, cOff: number, ldc: number,
  alpha: number,
): void {
  const panel = new Float64Array(k * 4)
  const m4 = m - (m % 4)
  const n4 = n - (n % 4)
  for (let j = 0; j < n4; j += 4) {
    for (let p = 0, src = bOff + j, dst = 0; p < k; p++, src += ldb, dst += 4) {
      panel[dst] = b[src] as number
      panel[dst + 1] = b[src + 1] as number
      panel[dst + 2] = b[src + 2] as number
      panel[dst + 3] = b[src + 3] as number
    }
    for (let i = 0; i < m4; i += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0
      const r0 = aOff + i * lda
      const r1 = r0 + lda
      const r2 = r1 + lda
      const r3 = r2 + lda
      for (let p = 0, q = 0; p < k; p++, q += 4) {
        const b0 = panel[q] as number
        const b1 = panel[q + 1] as number
        const b2 = panel[q + 2] as number
        const b3 = panel[q + 3] as number
        const a0 = a[r0 + p] as number
        const a1 = a[r1 + p] as number
        const a2 = a[r2 + p] as number
        const a3 = a[r3 + p] as number
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3
      }
      let o = cOff + i * ldc + j
      c[o] = (c[o] as number) + alpha * c00; c[o + 1] = (c[o + 1] as number) + alpha * c01
      c[o + 2] = (c[o + 2] as number) + alpha * c02; c[o + 3] = (c[o + 3] as number) + alpha * c03
      o += ldc
      c[o] = (c[o] as number) + alpha * c10; c[o + 1] = (c[o + 1] as number) + alpha * c11
      c[o + 2] = (c[o + 2] as number) + alpha * c12; c[o + 3] = (c[o + 3] as number) + alpha * c13
      o += ldc
      c[o] = (c[o] as number) + alpha * c20; c[o + 1] = (c[o + 1] as number) + alpha * c21
      c[o + 2] = (c[o + 2] as number) + alpha * c22; c[o + 3] = (c[o + 3] as number) + alpha * c23
      o += ldc
      c[o] = (c[o] as number) + alpha * c30; c[o + 1] = (c[o + 1] as number) + alpha * c31
      c[o + 2] = (c[o + 2] as number) + alpha * c32; c[o + 3] = (c[o + 3] as number) + alpha * c33
    }
    for (let i = m4; i < m; i++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0
      const r = aOff + i * lda
      for (let p = 0, q = 0; p < k; p++, q += 4) {
        const x = a[r + p] as number
        s0 += x * (panel[q] as number)
        s1 += x * (panel[q + 1] as number)
        s2 += x * (panel[q + 2] as number)
        s3 += x * (panel[q + 3] as number)
      }
      const o = cOff + i * ldc + j
      c[o] = (c[o] as number) + alpha * s0; c[o + 1] = (c[o + 1] as number) + alpha * s1
      c[o + 2] = (c[o + 2] as number) + alpha * s2; c[o + 3] = (c[o + 3] as number) + alpha * s3
    }
  }
  for (let j = n4; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let s = 0
      for (let p = 0, r = aOff + i * lda, q = bOff + j; p < k; p++, q += ldb) s += (a[r + p] as number) * (b[q] as number)
      const o = cOff + i * ldc + j
      c[o] = (c[o] as number) + alpha * s
    }
  }
}

/** C (m×n) += alpha · A (m×k) · B (k×n) for whole, contiguous row-major blocks. */
export function gemmInto(m: number, n: number, k: number, a: Block, b: Block, c: Block, alpha: number): void {
  gemmStrided(m, n, k, a, 0, k, b, 0, n, c, 0, n, alpha)
}

/** C += A · B by the textbook triple loop (i, j, then k down a column of B): the baseline the blocked kernel is measured against. */
export function gemmNaive(m: number, n: number, k: number, a: Block, b: Block, c: Block): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let p = 0; p < k; p++) s += (a[i * k + p] as number) * (b[p * n + j] as number)
      c[i * n + j] = (c[i * n + j] as number) + s
    }
  }
}

/** The transpose of a rows×cols block, of the same element type. */
export function transposeBlock(rows: number, cols: number, src: Block): Block {
  const dst = src instanceof Float32Array ? new Float32Array(rows * cols) : new Float64Array(rows * cols)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j] as number
  return dst
}
