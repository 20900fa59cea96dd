import { createRequire } from 'node:module'
import type ivm from 'isolated-vm'

type IsolatedVm = typeof ivm

let loaded: IsolatedVm | undefined

/**
 * isolated-vm, loaded on first use rather than imported, so a host whose native
 * build failed still starts (and runs only its own tasks; see `connect`).
 * Throws when the module or its binary is missing.
 */
export function loadIsolatedVm(): IsolatedVm {
  loaded ??= createRequire(import.meta.url)('isolated-vm') as IsolatedVm
  return loaded
}

/** Whether this host can run strangers' tasks behind a real boundary, and if not, why. */
export type DonorSandbox = { readonly available: true } | { readonly available: false; readonly reason: string }

export function loadSandbox(): DonorSandbox {
  try {
    const module = loadIsolatedVm()
    // A module whose binary does not match this Node fails only when used.
    new module.Isolate({ memoryLimit: 8 }).dispose()
    return { available: true }
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) }
  }
}
