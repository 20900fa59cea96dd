import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { buildDonateApp } from '../../support/static-server.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The donate page and the embed, built once for the run; files only read it. */
    donateDist: string
  }
}

// Three files serve the built donate page, and each Vite build of it took
// seconds of the browser stage's serial time: one build for the whole run.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dist = await mkdtemp(join(tmpdir(), 'tessera-donate-built-'))
  await buildDonateApp(dist)
  project.provide('donateDist', dist)
  return async () => {
    await rm(dist, { recursive: true, force: true })
  }
}
