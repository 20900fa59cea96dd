import { SandboxFrame } from '@tessera/client'

// Worker code with no lockdown: what the sandbox frame's policy and opaque
// origin alone allow. Each attempt reports a synchronous throw, an error event
// or a rejection; anything that reaches the sink is counted by the test.

export interface SandboxPolicyPage {
  attempts?: Record<string, string>
  fatal?: string
}

const sink = new URLSearchParams(location.search).get('sink') ?? ''

const workerSource = `
const sink = ${JSON.stringify(sink)}
const outcomes = {}
const settle = (name, outcome) => { if (!(name in outcomes)) outcomes[name] = outcome }
const attempt = (name, run) => {
  try {
    const result = run()
    if (result && typeof result.then === 'function') result.then(() => settle(name, 'allowed'), (e) => settle(name, e.name + ': ' + e.message))
  } catch (e) {
    settle(name, e.name + ': ' + e.message)
  }
}
attempt('fetch', () => fetch(sink + '/fetch'))
attempt('xhr', () => { const x = new XMLHttpRequest(); x.onerror = () => settle('xhr', 'error event'); x.open('GET', sink + '/xhr'); x.send() })
attempt('webSocket', () => { const w = new WebSocket(sink.replace('http', 'ws') + '/websocket'); w.onerror = () => settle('webSocket', 'error event') })
attempt('eventSource', () => { const s = new EventSource(sink + '/event-source'); s.onerror = () => { settle('eventSource', 'error event'); s.close() } })
attempt('importScripts', () => importScripts(sink + '/import-scripts.js'))
attempt('dynamicImport', () => import(sink + '/dynamic-import.js'))
attempt('indexedDB', () => indexedDB.open('page-secrets'))
addEventListener('message', (event) => {
  setTimeout(() => event.ports[0].postMessage(outcomes), 1500)
})
`

try {
  const frame = new SandboxFrame(Promise.resolve({ kind: 'classic', source: workerSource }))
  const channel = new MessageChannel()
  channel.port1.onmessage = (event: MessageEvent<Record<string, string>>) => {
    ;(globalThis as SandboxPolicyPage).attempts = event.data
    frame.close()
  }
  frame.spawn(channel.port2, (reason) => ((globalThis as SandboxPolicyPage).fatal = `the worker crashed: ${reason}`))
} catch (error) {
  ;(globalThis as SandboxPolicyPage).fatal = String(error)
}
