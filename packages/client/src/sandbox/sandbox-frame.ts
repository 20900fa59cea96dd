import { frameDocument } from './frame-document.ts'
import type { FrameEvent, FrameInit, FrameRequest, WorkerCode } from './protocol.ts'
import { loadWorkerCode } from './worker-code.ts'

/**
 * A hidden `<iframe sandbox="allow-scripts">`: a document with an opaque origin,
 * so nothing in it can read the page's storage, cookies or DOM, under a policy
 * that forbids all network access. It starts task workers from `blob:` URLs,
 * which inherit that policy and that origin, and hands each worker a port to
 * the page. One frame serves any number of workers.
 */
export class SandboxFrame {
  readonly #control: Promise<MessagePort>
  readonly #crashListeners = new Map<number, (reason: string) => void>()
  #iframe: HTMLIFrameElement | undefined
  #nextId = 0
  #closed = false

  constructor(code: Promise<WorkerCode> = loadWorkerCode()) {
    this.#control = code.then((loaded) => this.#open(loaded))
    // A frame that fails to open fails each worker through its crash listener; this keeps the rejection handled.
    this.#control.catch(() => {})
  }

  /**
   * Starts one worker whose port is `port`. Resolves at once; a worker that
   * cannot start (the frame failed to open, the script failed to load, an
   * uncaught error later) reports through `onCrash`.
   */
  spawn(port: MessagePort, onCrash: (reason: string) => void): number {
    const id = this.#nextId++
    this.#crashListeners.set(id, onCrash)
    this.#control.then(
      (control) => this.#send(control, { type: 'spawn', id }, [port]),
      (error: unknown) => this.#crash(id, `the sandbox frame did not open: ${error instanceof Error ? error.message : String(error)}`),
    )
    return id
  }

  terminate(id: number): void {
    this.#crashListeners.delete(id)
    void this.#control.then((control) => this.#send(control, { type: 'terminate', id }, []), () => {})
  }

  /** Removes the frame, which ends every worker it started. */
  close(): void {
    this.#closed = true
    this.#crashListeners.clear()
    this.#iframe?.remove()
    this.#iframe = undefined
  }

  #send(control: MessagePort, request: FrameRequest, transfer: Transferable[]): void {
    if (!this.#closed) control.postMessage(request, transfer)
  }

  #crash(id: number, reason: string): void {
    const listener = this.#crashListeners.get(id)
    this.#crashListeners.delete(id)
    listener?.(reason)
  }

  #open(code: WorkerCode): Promise<MessagePort> {
    if (this.#closed) return Promise.reject(new Error('the sandbox was closed before it opened'))
    const nonce = randomNonce()
    const iframe = document.createElement('iframe')
    iframe.setAttribute('sandbox', 'allow-scripts')
    iframe.setAttribute('aria-hidden', 'true')
    iframe.tabIndex = -1
    iframe.title = 'Tessera task sandbox'
    iframe.style.display = 'none'
    iframe.srcdoc = frameDocument(code, nonce)
    this.#iframe = iframe
    const channel = new MessageChannel()
    const opened = new Promise<MessagePort>((resolve) => {
      channel.port1.onmessage = (event: MessageEvent<FrameEvent>) => {
        const message = event.data
        if (message.type === 'ready') resolve(channel.port1)
        else if (message.type === 'crash') this.#crash(message.id, message.reason)
      }
    })
    iframe.addEventListener(
      'load',
      () => {
        const init: FrameInit = { type: 'tessera:sandbox-init', code }
        // The frame's origin is opaque, so no target origin but '*' can name it; the message holds nothing secret.
        iframe.contentWindow?.postMessage(init, '*', [channel.port2])
      },
      { once: true },
    )
    ;(document.body ?? document.documentElement).append(iframe)
    return opened
  }
}

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
