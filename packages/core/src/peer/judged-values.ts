import type { Value } from '../encoding/supported-value.ts'
import type { Address } from '../ids.ts'
import type { ValueStore } from '../swarm/value-store.ts'
import type { ValueOf } from './outcome-clusters.ts'

/** Values held at once: a judged task needs only its few reported outcomes. */
const MAX_VALUES_HELD = 4096

/**
 * The reported values a submitter's `compare` judges (`referee.ts`): fetched
 * once each, however many tasks wait on them, and held (boundedly) while
 * their tasks are judged. A value that cannot be fetched is held as `null`,
 * which agrees with nothing.
 */
export class JudgedValues {
  readonly #held = new Map<Address, { readonly value: Value } | null>()
  readonly #waiting = new Map<Address, Array<() => void>>()

  /** `onFetched` runs after each fetch ends (the caller judges again). */
  constructor(
    private readonly values: ValueStore | undefined,
    private readonly onFetched: () => void,
  ) {}

  readonly valueOf: ValueOf = (address) => this.#held.get(address)

  /** Fetches `address` unless held, and calls `then` once it is. */
  fetch(address: Address, then: () => void): void {
    if (this.#held.has(address) || this.values === undefined) {
      if (this.values === undefined) this.#held.set(address, null)
      then()
      return
    }
    let waiting = this.#waiting.get(address)
    if (waiting === undefined) {
      this.#waiting.set(address, (waiting = []))
      this.values.get(address).then(
        (value) => this.#hold(address, { value }),
        () => this.#hold(address, null),
      )
    }
    waiting.push(then)
  }

  #hold(address: Address, value: { readonly value: Value } | null): void {
    if (this.#held.size >= MAX_VALUES_HELD) this.#held.delete(this.#held.keys().next().value as Address)
    this.#held.set(address, value)
    for (const then of this.#waiting.get(address) ?? []) then()
    this.#waiting.delete(address)
    this.onFetched()
  }
}
