import type { WorkerHandle } from '@tessera/runtime/pool'
import { portWorkerHandle } from '../port-worker-handle.ts'
import type { SandboxFrame } from './sandbox-frame.ts'

/** One sandboxed worker as `WorkerPool` sees it: the frame starts it, and runs go straight to it over its own port. */
export function startSandboxedWorker(frame: SandboxFrame): WorkerHandle {
  return portWorkerHandle((farPort, crash) => {
    const id = frame.spawn(farPort, crash)
    return () => frame.terminate(id)
  })
}
