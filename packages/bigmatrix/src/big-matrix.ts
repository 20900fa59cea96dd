import {
  addressOf,
  TesseraError,
  valueRef,
  type Address,
  type Value,
  type ValueRef,
} from '@tessera/core'
import type { Swarm, SwarmFunction, TaskGraph, TaskRef } from '@tessera/runtime'
import { BlockIndexError, DtypeMismatchError, ShapeMismatchError } from './errors.ts'
import type { Block } from './kernels/block.ts'
import { transposeBlock } from './kernels/gemm.ts'
import { blockKey, extentOf, gridOf, HEADER_KIND, isMatrixHeader, type Dtype, type MatrixHeader } from './header.ts'
import { blockTasks, initFunctionAt, storeInitFunction } from './tasks/registry.ts'
import type { BlockInitArgs, RandomInitParams } from './tasks/random-init.ts'
import { dtypeOf, zeros } from './dtype.ts'
import { cutBlock, placeBlock } from './layout.ts'

export interface CreateOptions<P = unknown> {
  readonly shape: readonly [number, number]
  readonly blockShape: readonly [number, number]
  readonly dtype?: Dtype
  /** Makes a block the first time it is read (numpywren's parent_fn); memoized like any call. */
  readonly init?: SwarmFunction<BlockInitArgs<P>, Block>
  /** Passed to every `init` call as `params`. */
  readonly params?: P
}

export interface GatherOptions {
  /** Blocks fetched at once; default 4. */
  readonly workers?: number
}

/** The lazy blocks each graph already makes, by init function and arguments. */
const lazyNodes = new WeakMap<TaskGraph, Map<string, TaskRef>>()

/** A lazy block's identity within a graph; undefined for params JSON cannot spell (then it is simply added again). */
function memoId(fn: string, args: BlockInitArgs): string | undefined {
  try {
    return `${fn} ${JSON.stringify(args)}`
  } catch {
    return undefined
  }
}

/**
 * numpywren's BigMatrix over a swarm's content-addressed store: a small header
 * plus one stored value per block. A handle holds nothing but that header, so it
 * is fully described by `ref` (the header's address), and every change gives a
 * new matrix with a new header: matrices are immutable values.
 */
export class BigMatrix {
  readonly #saved: Promise<void>

  private constructor(
    readonly swarm: Swarm,
    readonly header: MatrixHeader,
    private readonly init: SwarmFunction<BlockInitArgs, Block> | undefined,
  ) {
    this.#saved = swarm.peer.values.put(header as unknown as Value, 'header').then(() => undefined)
    // Failures surface through `saved()`; a view nobody shares need not be stored.
    this.#saved.catch(() => {})
  }

  static async create<P = unknown>(swarm: Swarm, options: CreateOptions<P>): Promise<BigMatrix> {
    const shape = checkPair(options.shape, 'shape')
    const blockShape = checkPair(options.blockShape, 'blockShape')
    const dtype = options.dtype ?? 'float64'
    if (dtype !== 'float64' && dtype !== 'float32') throw new DtypeMismatchError(`dtype must be "float64" or "float32", not ${JSON.stringify(dtype)}`)
    const init = options.init as SwarmFunction<BlockInitArgs, Block> | undefined
    if (init !== undefined) await storeInitFunction(swarm, init)
    const header: MatrixHeader = {
      kind: HEADER_KIND,
      shape,
      blockShape,
      dtype,
      blocks: {},
      init: init === undefined ? null : { fn: init.definition.address, name: init.definition.name, params: options.params ?? null },
      transposed: false,
    }
    return BigMatrix.#made(swarm, header, init)
  }

  /** A seeded random matrix whose blocks are made lazily, on whichever peer first needs them. */
  static random(swarm: Swarm, options: Omit<CreateOptions<RandomInitParams>, 'init' | 'params'> & { readonly params: RandomInitParams }): Promise<BigMatrix> {
    return BigMatrix.create(swarm, { ...options, init: blockTasks(swarm).random, params: options.params })
  }

  /** The matrix a reference names, from any peer of the swarm. */
  static async open(swarm: Swarm, ref: string): Promise<BigMatrix> {
    const header = await swarm.peer.values.get(ref as Address)
    if (!isMatrixHeader(header)) throw new TesseraError(`${ref} is not a BigMatrix header`)
    const init = header.init === null ? undefined : await initFunctionAt(swarm, header.init.fn)
    return new BigMatrix(swarm, header, init)
  }

  /** Splits a local row-major array into stored blocks. */
  static async fromArray(swarm: Swarm, data: Block, options: { readonly shape: readonly [number, number]; readonly blockShape: readonly [number, number] }): Promise<BigMatrix> {
    const [rows, cols] = checkPair(options.shape, 'shape')
    if (data.length !== rows * cols) throw new ShapeMismatchError(`an array of ${data.length} elements cannot be a ${rows}×${cols} matrix`)
    const matrix = await BigMatrix.create(swarm, { ...options, dtype: dtypeOf(data) })
    const [gi, gj] = matrix.grid
    const blocks: Record<string, Address> = {}
    const { blockShape } = matrix
    for (let i = 0; i < gi; i++) {
      for (let j = 0; j < gj; j++) {
        const block = cutBlock(data, { cols, blockShape, i, j, h: extentOf(rows, blockShape[0], i), w: extentOf(cols, blockShape[1], j) })
        blocks[blockKey(i, j)] = await swarm.peer.values.put(block, 'block')
      }
    }
    return matrix.#with({ blocks })
  }

  /** The header's address: all another peer needs to open this matrix. */
  get ref(): Address {
    return addressOf(this.header as unknown as Value)
  }

  /** Resolves with `ref` once the header is in the store (views from `.T` are stored in the background). */
  async saved(): Promise<Address> {
    await this.#saved
    return this.ref
  }

  toJSON(): Address {
    return this.ref
  }

  get dtype(): Dtype {
    return this.header.dtype
  }

  get transposed(): boolean {
    return this.header.transposed
  }

  /** Rows and columns of this view. */
  get shape(): [number, number] {
    const [r, c] = this.header.shape
    return this.header.transposed ? [c, r] : [r, c]
  }

  get blockShape(): [number, number] {
    const [r, c] = this.header.blockShape
    return this.header.transposed ? [c, r] : [r, c]
  }

  /** Blocks along each dimension of this view. */
  get grid(): [number, number] {
    return gridOf(this.shape, this.blockShape)
  }

  /** Rows and columns of block (i, j) of this view: the last row and column of blocks may be short. */
  blockDims(i: number, j: number): [number, number] {
    this.#checkIndex(i, j)
    return [extentOf(this.shape[0], this.blockShape[0], i), extentOf(this.shape[1], this.blockShape[1], j)]
  }

  /** The transposed view, sharing every block. */
  get T(): BigMatrix {
    return new BigMatrix(this.swarm, { ...this.header, transposed: !this.header.transposed }, this.init)
  }

  async getBlock(i: number, j: number): Promise<Block> {
    const [rows, cols] = this.blockDims(i, j)
    const stored = await this.#storedBlock(...this.#storage(i, j))
    return this.header.transposed ? transposeBlock(cols, rows, stored) : stored
  }

  /** A new matrix with block (i, j) replaced; this one is unchanged. */
  async putBlock(block: Block, i: number, j: number): Promise<BigMatrix> {
    const [rows, cols] = this.blockDims(i, j)
    if (dtypeOf(block) !== this.dtype) throw new DtypeMismatchError(`block (${i}, ${j}) is ${dtypeOf(block)}, the matrix is ${this.dtype}`)
    if (block.length !== rows * cols) {
      throw new ShapeMismatchError(`block (${i}, ${j}) must have ${rows}×${cols} = ${rows * cols} elements, not ${block.length}`)
    }
    const stored = this.header.transposed ? transposeBlock(rows, cols, block) : block
    const address = await this.swarm.peer.values.put(stored, 'block')
    return this.#with({ blocks: { ...this.header.blocks, [blockKey(...this.#storage(i, j))]: address } })
  }

  /** A new matrix without block (i, j): it reads as its init function makes it, or as zeros. */
  async deleteBlock(i: number, j: number): Promise<BigMatrix> {
    this.blockDims(i, j)
    const blocks = { ...this.header.blocks }
    delete blocks[blockKey(...this.#storage(i, j))]
    return this.#with({ blocks })
  }

  /**
   * The same header with no stored blocks. The store is content-addressed and
   * shared, so nothing is erased: the blocks simply stop being this matrix's.
   */
  async free(): Promise<BigMatrix> {
    return this.#with({ blocks: {} })
  }

  /** Every block gathered into one local row-major array; lazy blocks are made first, in one parallel wave. */
  async toArray(options: GatherOptions = {}): Promise<Block> {
    const [rows, cols] = this.shape
    const out = this.dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols)
    const refs = await this.storedRefs()
    const [gi, gj] = this.grid
    const jobs: Array<[number, number]> = []
    for (let i = 0; i < gi; i++) for (let j = 0; j < gj; j++) jobs.push([i, j])
    const fetchOne = async ([i, j]: [number, number]): Promise<void> => {
      const [h, w] = this.blockDims(i, j)
      const [si, sj] = this.#storage(i, j)
      const ref = refs[si]?.[sj] ?? null
      const stored = ref === null ? zeros(this.dtype, h * w) : ((await this.swarm.peer.values.get(ref['/'])) as Block)
      const block = this.header.transposed ? transposeBlock(w, h, stored) : stored
      placeBlock(out, block, { cols, blockShape: this.blockShape, i, j, h, w })
    }
    const queue = [...jobs]
    const lanes = Array.from({ length: Math.max(1, options.workers ?? 4) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await fetchOne(next)
    })
    await Promise.all(lanes)
    return out
  }

  /**
   * Links to every stored block, in storage coordinates (not flipped by `.T`):
   * lazy blocks are made first, in one parallel wave on the swarm, and stay on
   * the peers that made them. Null is a block of zeros.
   */
  async storedRefs(): Promise<Array<Array<ValueRef | null>>> {
    const [gi, gj] = gridOf(this.header.shape, this.header.blockShape)
    const refs: Array<Array<ValueRef | null>> = Array.from({ length: gi }, () => new Array<ValueRef | null>(gj).fill(null))
    const missing: Array<[number, number]> = []
    for (let i = 0; i < gi; i++) {
      for (let j = 0; j < gj; j++) {
        const address = this.header.blocks[blockKey(i, j)]
        if (address !== undefined) (refs[i] as Array<ValueRef | null>)[j] = valueRef(address)
        else if (this.init !== undefined) missing.push([i, j])
      }
    }
    if (missing.length > 0 && this.init !== undefined) {
      const graph = this.swarm.graph()
      const init = this.init
      // Each block row made on one donor, as `blockInputs` places them.
      const nodes = missing.map(([i, j]) => graph.add(init, this.#initArgs(i, j), { affinity: i }))
      await graph.submit()
      const made = await this.swarm.resultRefs(nodes)
      missing.forEach(([i, j], n) => ((refs[i] as Array<ValueRef | null>)[j] = made[n] as ValueRef))
    }
    return refs
  }

  /**
   * Each stored block as a task's input, in storage coordinates: a link to a
   * stored block, a ref to the task of `graph` that makes a lazy one (added
   * here, so the algorithm's tasks start as each input exists, with no wave
   * first), or null for a block of zeros or one not `wanted`.
   */
  blockInputs(graph: TaskGraph, wanted: (i: number, j: number) => boolean = () => true): Array<Array<ValueRef | TaskRef | null>> {
    const [gi, gj] = gridOf(this.header.shape, this.header.blockShape)
    return Array.from({ length: gi }, (_, i) =>
      Array.from({ length: gj }, (_, j) => {
        if (!wanted(i, j)) return null
        const address = this.header.blocks[blockKey(i, j)]
        if (address !== undefined) return valueRef(address)
        if (this.init === undefined) return null
        // A·Aᵀ reads one lazy block twice: one graph node for it, not two.
        let made = lazyNodes.get(graph)
        if (made === undefined) lazyNodes.set(graph, (made = new Map()))
        const args = this.#initArgs(i, j)
        const id = memoId(this.init.definition.address, args)
        // A block row is made on one donor: a product reading it finds it there (docs/bigmatrix-locality.md).
        const place = { affinity: i }
        if (id === undefined) return graph.add(this.init, args, place)
        let ref = made.get(id)
        if (ref === undefined) made.set(id, (ref = graph.add(this.init, args, place)))
        return ref
      }),
    )
  }

  /** A matrix over the same blocks with a new header; used by the algorithms to assemble their results. */
  static async fromBlocks(
    swarm: Swarm,
    options: { shape: readonly [number, number]; blockShape: readonly [number, number]; dtype: Dtype; blocks: ReadonlyMap<string, ValueRef> },
  ): Promise<BigMatrix> {
    const matrix = await BigMatrix.create(swarm, options)
    const blocks: Record<string, Address> = {}
    for (const [key, ref] of options.blocks) blocks[key] = ref['/']
    return matrix.#with({ blocks })
  }

  async #storedBlock(si: number, sj: number): Promise<Block> {
    const address = this.header.blocks[blockKey(si, sj)]
    const [rows, cols] = [extentOf(this.header.shape[0], this.header.blockShape[0], si), extentOf(this.header.shape[1], this.header.blockShape[1], sj)]
    if (address !== undefined) return (await this.swarm.peer.values.get(address)) as Block
    if (this.init !== undefined) return this.init(this.#initArgs(si, sj))
    return zeros(this.dtype, rows * cols)
  }

  #initArgs(si: number, sj: number): BlockInitArgs {
    const { shape, blockShape, dtype, init } = this.header
    return {
      i: si,
      j: sj,
      rows: extentOf(shape[0], blockShape[0], si),
      cols: extentOf(shape[1], blockShape[1], sj),
      row0: si * blockShape[0],
      col0: sj * blockShape[1],
      dtype,
      params: init?.params ?? null,
    }
  }

  #storage(i: number, j: number): [number, number] {
    return this.header.transposed ? [j, i] : [i, j]
  }

  #checkIndex(i: number, j: number): void {
    const [gi, gj] = this.grid
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= gi || j >= gj) {
      throw new BlockIndexError(`block (${i}, ${j}) is outside the ${gi}×${gj} grid of this ${this.shape[0]}×${this.shape[1]} matrix`)
    }
  }

  async #with(change: Partial<MatrixHeader>): Promise<BigMatrix> {
    const matrix = new BigMatrix(this.swarm, { ...this.header, ...change }, this.init)
    await matrix.#saved
    return matrix
  }

  static async #made(swarm: Swarm, header: MatrixHeader, init: SwarmFunction<BlockInitArgs, Block> | undefined): Promise<BigMatrix> {
    const matrix = new BigMatrix(swarm, header, init)
    await matrix.#saved
    return matrix
  }
}

function checkPair(pair: readonly [number, number], what: string): [number, number] {
  const ok = Array.isArray(pair) && pair.length === 2 && pair.every((n) => Number.isSafeInteger(n) && n > 0)
  if (!ok) throw new ShapeMismatchError(`${what} must be two positive integers, got ${JSON.stringify(pair)}`)
  return [pair[0], pair[1]]
}
