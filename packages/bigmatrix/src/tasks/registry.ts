import { compilePure, functionRecord, loadFunction, AddressError, type Address } from '@tessera/core'
import type { Swarm, SwarmFunction } from '@tessera/runtime'
import type { Block } from '../kernels/block.ts'
import { choleskyPanel, choleskyUpdate, type CholeskyPanelArgs, type CholeskyUpdateArgs } from './cholesky-tasks.ts'
import { matmulBlock, type MatmulBlockArgs } from './matmul-task.ts'
import { randomBlock, type BlockInitArgs, type RandomInitParams } from './random-init.ts'
import { reblockBlock, type ReblockArgs } from './reblock-task.ts'
import { solveBlock, solveUpdate, type SolveBlockArgs, type SolveUpdateArgs } from './solve-tasks.ts'

export interface BlockTasks {
  readonly matmul: SwarmFunction<MatmulBlockArgs, Block>
  readonly choleskyPanel: SwarmFunction<CholeskyPanelArgs, Block>
  readonly choleskyUpdate: SwarmFunction<CholeskyUpdateArgs, Block>
  readonly random: SwarmFunction<BlockInitArgs<RandomInitParams>, Block>
  readonly reblock: SwarmFunction<ReblockArgs, Block>
  readonly solveBlock: SwarmFunction<SolveBlockArgs, Block>
  readonly solveUpdate: SwarmFunction<SolveUpdateArgs, Block>
}

const registered = new WeakMap<Swarm, BlockTasks>()
const initFunctions = new WeakMap<Swarm, Map<Address, Promise<SwarmFunction<BlockInitArgs, Block>>>>()

/** The block tasks, registered once per swarm connection. */
export function blockTasks(swarm: Swarm): BlockTasks {
  let tasks = registered.get(swarm)
  if (tasks === undefined) {
    tasks = {
      matmul: swarm.pure(matmulBlock, { name: 'bigmatrix.matmulBlock' }),
      choleskyPanel: swarm.pure(choleskyPanel, { name: 'bigmatrix.choleskyPanel' }),
      choleskyUpdate: swarm.pure(choleskyUpdate, { name: 'bigmatrix.choleskyUpdate' }),
      random: swarm.pure(randomBlock, { name: 'bigmatrix.randomBlock' }),
      reblock: swarm.pure(reblockBlock, { name: 'bigmatrix.reblockBlock' }),
      solveBlock: swarm.pure(solveBlock, { name: 'bigmatrix.solveBlock' }),
      solveUpdate: swarm.pure(solveUpdate, { name: 'bigmatrix.solveUpdate' }),
    }
    registered.set(swarm, tasks)
  }
  return tasks
}

/**
 * A lazy-block function by its address, for a matrix opened from its reference:
 * its source comes out of the store (where submitting it put it), is compiled
 * here, and registered again; the address must come out the same.
 */
export function initFunctionAt(swarm: Swarm, address: Address): Promise<SwarmFunction<BlockInitArgs, Block>> {
  let byAddress = initFunctions.get(swarm)
  if (byAddress === undefined) initFunctions.set(swarm, (byAddress = new Map()))
  let found = byAddress.get(address)
  if (found === undefined) {
    found = loadFunction(swarm.peer.values, address).then((source) => {
      const fn = swarm.pure(compilePure(source) as (args: BlockInitArgs) => Block, { name: source.name })
      if (fn.definition.address !== address) throw new AddressError(`init function "${source.name}" re-registers as ${fn.definition.address}, not ${address}`)
      return fn
    })
    byAddress.set(address, found)
  }
  return found
}

/** Makes sure a lazy-block function's source is in the store, so a matrix's reference can be opened anywhere. */
export async function storeInitFunction(swarm: Swarm, fn: SwarmFunction<BlockInitArgs, Block>): Promise<void> {
  const { definition } = fn
  await swarm.peer.values.put(functionRecord(definition.name, definition.source))
}
