import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { servePage } from '../support/built-page.ts'
import { launchChromium } from '../support/chromium.ts'
import type { SandboxHardeningPage } from './pages/sandbox-hardening/main.ts'

describe('the tab sandbox: no job changes what another job sees', () => {
  it('Math.sqrt = () => 42 and friends in job A fail; job B computes Math.sqrt(16) = 4 on the same worker (sandboxed and plain Web Workers), which also run WebAssembly SIMD', async () => {
    const served = await servePage(fileURLToPath(new URL('./pages/sandbox-hardening/', import.meta.url)))
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(served.url)
      await page.waitForFunction(() => (globalThis as SandboxHardeningPage).outcome !== undefined || (globalThis as SandboxHardeningPage).fatal !== undefined, null, { timeout: 60_000 })
      const { outcome, fatal } = await page.evaluate(() => ({ outcome: (globalThis as SandboxHardeningPage).outcome, fatal: (globalThis as SandboxHardeningPage).fatal }))
      expect(fatal, errors.join('\n')).toBeUndefined()
      for (const executor of ['sandboxed', 'webWorker'] as const) {
        const result = outcome?.[executor]
        expect(result?.poison, executor).toMatchObject({ kind: 'value', value: [] })
        expect(result?.victim, executor).toMatchObject({ kind: 'value', value: [4, 2, true, 'undefined', 7, 3] })
        expect(result?.overrides, executor).toMatchObject({ kind: 'value', value: ['DomainError', 'o'] })
        // BigMatrix's block tasks compile their WebAssembly SIMD GEMM in the hardened worker, and get the JS kernel's bits.
        expect(result?.simd, executor).toEqual({ kernel: 'simd', sameBits: true })
        console.log(`[figure] tab ${executor} workers: built-ins changed across jobs 0; trivial task ${result?.perTaskMs.hardened.toFixed(3)} ms each, one at a time`)
      }
    } finally {
      await browser.close()
      await served.close()
    }
  }, 120_000)
})
