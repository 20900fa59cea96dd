// The entry point of each sandboxed task worker, started by the sandbox frame
// from a `blob:` URL. The lockdown and the hardening run first, before any task code can.
import { lockDown } from './lockdown.ts'
import { hardenThisRealm } from '@tessera/runtime/pool'
import { serveRunsOnConnect } from '../serve-on-port.ts'

lockDown(globalThis)
// Then every built-in and the global object are frozen: no task can change what a later task, of any job, sees.
hardenThisRealm()
// Only the frame posts to this worker, once, with the port to the page.
serveRunsOnConnect()
