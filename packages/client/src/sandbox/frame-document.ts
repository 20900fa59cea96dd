import type { WorkerCode } from './protocol.ts'

/**
 * The policy every sandbox document, and so every worker it starts from a
 * `blob:` URL, runs under: no network of any kind (`default-src 'none'` covers
 * fetch, XHR, WebSocket, EventSource and foreign scripts), `eval` for compiling
 * task source, and workers only from `blob:`. `moduleOrigin` is allowed to serve
 * scripts only in Vite's dev mode, where the worker is a module with imports.
 */
export function sandboxPolicy(nonce: string, moduleOrigin?: string): string {
  const scripts = [`'nonce-${nonce}'`, "'unsafe-eval'", 'blob:', ...(moduleOrigin === undefined ? [] : [moduleOrigin])]
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ')}`,
    'worker-src blob:',
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ')
}

/**
 * The frame's own script, inline (allowed by its nonce). It accepts one init
 * message from its parent, then starts and stops workers on request, handing
 * each its port to the page and reporting load failures and crashes.
 */
const BOOTSTRAP = `
(() => {
  // Dev mode: an opaque origin cannot start a module worker from a blob: URL, so a
  // classic one imports the module, holding messages that arrive before it has loaded.
  const moduleLoader = (moduleUrl) => \`
    const early = []
    const hold = (event) => early.push(event)
    addEventListener('message', hold)
    import(\${JSON.stringify(moduleUrl)}).then(
      () => {
        removeEventListener('message', hold)
        for (const event of early) dispatchEvent(new MessageEvent('message', { data: event.data, ports: [...event.ports] }))
      },
      (error) => setTimeout(() => { throw error }),
    )\`
  let started = false
  addEventListener('message', (event) => {
    const init = event.data
    if (started || event.source !== parent || !init || init.type !== 'tessera:sandbox-init' || event.ports.length !== 1) return
    started = true
    const control = event.ports[0]
    const code = init.code
    const url = URL.createObjectURL(new Blob(
      [code.kind === 'classic' ? code.source : moduleLoader(code.url)],
      { type: 'text/javascript' },
    ))
    const workers = new Map()
    control.onmessage = (message) => {
      const request = message.data
      if (request.type === 'spawn') {
        try {
          const worker = new Worker(url, { name: 'tessera-task' })
          workers.set(request.id, worker)
          worker.addEventListener('error', (error) => {
            error.preventDefault()
            control.postMessage({ type: 'crash', id: request.id, reason: error.message || 'the worker failed to load or threw an uncaught error' })
          })
          worker.postMessage('tessera:connect', [message.ports[0]])
        } catch (error) {
          control.postMessage({ type: 'crash', id: request.id, reason: String(error) })
        }
      } else if (request.type === 'terminate') {
        workers.get(request.id)?.terminate()
        workers.delete(request.id)
      }
    }
    control.postMessage({ type: 'ready' })
  })
})()
`

/** The whole `srcdoc` of a sandbox frame. */
export function frameDocument(code: WorkerCode, nonce: string): string {
  const moduleOrigin = code.kind === 'module' ? new URL(code.url).origin : undefined
  return [
    '<!doctype html><html><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${sandboxPolicy(nonce, moduleOrigin)}">`,
    `</head><body><script nonce="${nonce}">${BOOTSTRAP}</script></body></html>`,
  ].join('')
}
