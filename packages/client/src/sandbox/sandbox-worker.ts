// The entry point of each sandboxed task worker, started by the sandbox frame
// from a `blob:` URL. The lockdown and the hardening run first, before any task code can.
import { lockDown } from './lockdown.ts'
import { createWorkerRunner, hardenThisRealm, type WorkerAnswer } from '@tessera/runtime/pool'
import { toErrorRecord } from '@tessera/core'
import { CONNECT_WORKER, type RunRequest, type WorkerEvent } from './protocol.ts'

lockDown(globalThis)
// Then every built-in and the global object are frozen: no task can change what a later task, of any job, sees.
hardenThisRealm()

const runner = createWorkerRunner()

function connect(port: MessagePort): void {
  // Bound now: task code that later patches MessagePort.prototype cannot reroute replies.
  const post = port.postMessage.bind(port) as (message: WorkerEvent, transfer: Transferable[]) => void
  port.onmessage = async (event: MessageEvent<RunRequest>) => {
    const { id, fn, args } = event.data
    let answer: WorkerAnswer
    try {
      answer = await runner.run(fn, args)
    } catch (error) {
      answer = { reply: { kind: 'thrown', error: toErrorRecord(error) }, transfer: [] }
    }
    try {
      post({ type: 'reply', id, reply: answer.reply }, answer.transfer)
    } catch (error) {
      post({ type: 'reply', id, reply: { kind: 'thrown', error: toErrorRecord(error) } }, [])
    }
  }
  post({ type: 'ready' }, [])
}

// Only the frame posts to this worker, once, with the port to the page.
const onConnect = (event: MessageEvent<unknown>): void => {
  const port = event.ports[0]
  if (event.data !== CONNECT_WORKER || port === undefined) return
  globalThis.removeEventListener('message', onConnect)
  connect(port)
}
globalThis.addEventListener('message', onConnect)
