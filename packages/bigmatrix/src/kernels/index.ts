export type { Block } from './block.ts'
export { gemmStrided, gemmInto, gemmNaive, transposeBlock } from './gemm.ts'
export { potrf, potrfUnblocked, trsmLowerTranspose, trsmUnblocked } from './cholesky.ts'
