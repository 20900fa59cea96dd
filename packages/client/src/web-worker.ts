// The entry point of each WebWorkerExecutor worker: the pool's run protocol on
// the port its handle sends (`serve-on-port.ts`).
import { hardenThisRealm } from '@tessera/runtime/pool'
import { serveRunsOnConnect } from './serve-on-port.ts'

// Every built-in and the global object are frozen before any task runs: no task can change what a later task, of any job, sees.
hardenThisRealm()
serveRunsOnConnect()
