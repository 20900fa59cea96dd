import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const script = fileURLToPath(new URL('./support/replicate-values.ts', import.meta.url))

// Yjs reads NODE_ENV once, when it loads, so each setting needs a process of its own.
describe('the value index under NODE_ENV=development', () => {
  it.each(['development', 'production'])('replicates inline values when NODE_ENV=%s', async (nodeEnv) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, NODE_ENV: nodeEnv } })
    expect(JSON.parse(stdout)).toEqual({ nodeEnv, bytes: [1, 2, 3], text: 'small', large: 1_000, buffered: [9, 9], taskArgs: [4, 5] })
  })
})
