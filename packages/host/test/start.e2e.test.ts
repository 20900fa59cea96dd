// `npm start` as CI runs it: the real demo job (Monte Carlo π and the grid
// search) to completion on a fresh cache and a free port, then again, when
// every result comes from the cache.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO } from './support/processes.ts'

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

function npmStart(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', ['start', '--', ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })))
}

describe('npm start', () => {
  it('runs the demo to completion, prints π and the best hyperparameters, and the second run is all cache', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'tessera-start-'))
    dirs.push(cacheDir)

    const first = await npmStart(['--port', '0', '--cache-dir', cacheDir], { TESSERA_EXIT_WHEN_DONE: '1' })
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/^Tessera is serving on http:\/\/localhost:\d+\/\?room=default$/m)
    const pi = Number(/^π ≈ (\d\.\d+)/m.exec(first.stdout)?.[1])
    expect(Math.abs(pi - Math.PI)).toBeLessThan(0.01)
    expect(first.stdout).toMatch(/^best hyperparameters: λ = [\d.e-]+, γ = [\d.]+$/m)
    expect(first.stdout).toMatch(/cross-validated MSE 0\.\d{4} .*R² = 0\.9\d\d\), 100 tasks/)
    expect(first.stdout).toMatch(/^300 tasks: \d+ ran here \(\d+ workers?\), \d+ on other peers, 0 from the cache, in [\d.]+ s$/m)
    expect(first.stderr).toMatch(/examples\/grid-search:validationError \[#+\] 100\/100 100%/)

    const second = await npmStart(['--once', '--port', '0', '--cache-dir', cacheDir])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain(`π ≈ ${pi.toFixed(6)}`)
    expect(second.stdout).toMatch(/^300 tasks: 0 ran here \(\d+ workers?\), 0 on other peers, 300 from the cache, in [\d.]+ s$/m)
    expect(second.stdout).toContain('Everything came from the cache')
  }, 180_000)
})
