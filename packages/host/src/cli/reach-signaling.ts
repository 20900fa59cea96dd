import { AccessDeniedError } from '@tessera/core'
import type { ServerFrame } from '@tessera/signaling/protocol'
import { WebSocket } from 'ws'
import { SignalingUnreachableError } from './cli-errors.ts'

export interface SignalingCheck {
  /** Several URLs (instances sharing rooms): the first that lets this peer in will do. */
  readonly url: string | readonly string[]
  readonly room: string
  readonly token?: string
  readonly timeoutMs?: number
}

/**
 * Opens one WebSocket to the signaling server and asks to join the room (as
 * an unnamed member, so nobody sees a peer come and go), then hangs up. The
 * mesh itself retries forever and keeps a refusal to itself, which would leave
 * a command hanging or looking at an empty room; this turns both into one
 * clear error: `SignalingUnreachableError`, or `AccessDeniedError` for a
 * private room without a valid token.
 */
export async function assertSignalingReachable(check: SignalingCheck): Promise<void> {
  const urls = typeof check.url === 'string' ? [check.url] : check.url
  const failures: SignalingUnreachableError[] = []
  for (const url of urls) {
    try {
      return await reachOne({ ...check, url })
    } catch (error) {
      if (!(error instanceof SignalingUnreachableError) || urls.length === 1) throw error
      failures.push(error)
    }
  }
  throw new SignalingUnreachableError(`none of ${urls.length} signaling servers answers: ${failures.map((f) => f.message).join('; ')}`)
}

async function reachOne(check: SignalingCheck & { readonly url: string }): Promise<void> {
  const { url, room, token } = check
  const timeoutMs = check.timeoutMs ?? 5_000
  const hint = `cannot reach the signaling server at ${url}: is \`tessera serve\` running?`
  let socket: WebSocket
  try {
    socket = new WebSocket(url, { handshakeTimeout: timeoutMs })
  } catch (error) {
    throw new SignalingUnreachableError(`${hint} (${(error as Error).message})`)
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => end(new SignalingUnreachableError(`${hint} (no answer in ${timeoutMs} ms)`)), timeoutMs)
    function end(error?: Error): void {
      clearTimeout(timer)
      socket.removeAllListeners()
      socket.on('error', () => {})
      // Not close(): its handshake may hold the process open for ws's 30 s close timeout.
      socket.terminate()
      if (error === undefined) resolve()
      else reject(error)
    }
    socket.once('open', () => socket.send(JSON.stringify({ type: 'subscribe', topics: [room], ...(token === undefined ? {} : { token }) })))
    socket.on('message', (data) => {
      let frame: ServerFrame
      try {
        frame = JSON.parse(String(data)) as ServerFrame
      } catch {
        return
      }
      if (frame.type === 'subscribed' && frame.topic === room) end()
      else if (frame.type === 'error' && (frame.code === 'unauthorized' || frame.code === 'server-full' || frame.code === 'too-many-rooms')) {
        end(new AccessDeniedError(`the signaling server at ${url} refused room "${room}": ${frame.reason}`))
      }
    })
    socket.once('error', (error: Error & { code?: string }) => end(new SignalingUnreachableError(`${hint} (${error.code ?? error.message})`)))
    socket.once('close', () => end(new SignalingUnreachableError(`${hint} (the connection closed)`)))
  })
}
