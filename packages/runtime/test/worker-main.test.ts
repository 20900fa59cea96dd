import { definePure, functionAddress, type PureFunctionSource } from '@tessera/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createWorkerRunner } from '../src/pool/index.ts'

/** A function whose compilation leaves a mark: it returns how often this realm compiled it. */
function countsCompiles(name: string): PureFunctionSource {
  const source = `(globalThis.__compiles = (globalThis.__compiles ?? 0) + 1, () => globalThis.__compiles)`
  return { name, source, address: functionAddress(name, source) }
}

describe('createWorkerRunner', () => {
  afterEach(() => {
    delete (globalThis as { __compiles?: number }).__compiles
  })

  it('compiles each function once, by address', async () => {
    const runner = createWorkerRunner()
    const fn = countsCompiles('counter')
    const replies = [await runner.run(fn, {}), await runner.run(fn, {}), await runner.run(fn, {})]
    const first = replies[0]?.reply
    expect(first?.kind).toBe('value')
    expect(replies.map((r) => r.reply)).toEqual([first, first, first])
    // Another runner (another worker) compiles it again.
    const again = await createWorkerRunner().run(fn, {})
    expect(again.reply).toEqual({ kind: 'value', value: (first?.kind === 'value' ? (first.value as number) : 0) + 1 })
  })

  it('names the buffers of the result for transfer, and nothing for errors', async () => {
    const runner = createWorkerRunner()
    const pair = definePure(({ n }: { n: number }) => ({ a: new Float64Array(n), b: [new Uint8Array(n)] }), { name: 'pair' })
    const answer = await runner.run(pair, { n: 2 })
    expect(answer.transfer).toHaveLength(2)
    const fails = definePure(() => {
      throw new TypeError('no')
    })
    expect(await runner.run(fails, {})).toMatchObject({ reply: { kind: 'thrown', error: { name: 'TypeError' } }, transfer: [] })
  })

  it('refuses source that does not compile or does not match its address', async () => {
    const runner = createWorkerRunner()
    const forged = { name: 'f', source: '() => 2', address: functionAddress('f', '() => 1') }
    expect(await runner.run(forged, {})).toMatchObject({ reply: { kind: 'refused', error: { name: 'AddressError' } } })
    const broken = { name: 'g', source: '() => {', address: functionAddress('g', '() => {') }
    expect(await runner.run(broken, {})).toMatchObject({ reply: { kind: 'refused', error: { name: 'SyntaxError' } } })
  })
})
