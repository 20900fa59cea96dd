import type { Address } from '../ids.ts'
import type { PureFunctionSource } from '../pure/define-pure.ts'
import { loadFunction } from '../swarm/submit-job.ts'
import type { ValueStore } from '../swarm/value-store.ts'

/** Function sources kept loaded at once. */
const MAX_FUNCTIONS = 64

/** A donor's function sources, loaded once per address. */
export class FunctionLoader {
  readonly #functions = new Map<Address, Promise<PureFunctionSource>>()

  constructor(private readonly values: ValueStore) {}

  /**
   * The function's source. The promise is awaited only after the arguments
   * arrive, so a failure is marked handled here (it becomes the task's
   * outcome there); a failed load is forgotten, so a source that had not
   * synced yet is fetched again by the next run.
   */
  load(address: Address): Promise<PureFunctionSource> {
    const known = this.#functions.get(address)
    if (known !== undefined) return known
    const loading = loadFunction(this.values, address)
    loading.catch(() => {
      if (this.#functions.get(address) === loading) this.#functions.delete(address)
    })
    // Bounded: the oldest goes first (Maps iterate in insertion order).
    if (this.#functions.size >= MAX_FUNCTIONS) this.#functions.delete(this.#functions.keys().next().value as Address)
    this.#functions.set(address, loading)
    return loading
  }
}
