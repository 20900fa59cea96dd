import { describe, expect, it } from 'vitest'
import { MESH_DEFAULTS, PeerLink, type LinkCloseReason, type LinkEvents } from '@tessera/mesh'
import { spyOnFrames } from './support/frame-spy.ts'

/** Two links wired to each other directly, with no signaling server between them. */
function pair(limits = {}) {
  const spy = spyOnFrames()
  const closed: Record<string, LinkCloseReason> = {}
  const received: Record<string, Uint8Array[]> = { a: [], b: [] }
  const links: Record<string, PeerLink> = {}
  const events = (name: string, other: string): LinkEvents => ({
    open: () => {},
    message: (_link, _channel, payload) => received[name]?.push(payload),
    close: (_link, reason) => (closed[name] = reason),
    signal: (_link, signal) => void links[other]?.handleSignal(signal),
  })
  const options = { rtc: spy.rtc, iceServers: [], limits: { ...MESH_DEFAULTS.limits, ...limits }, links: 0, session: 's' }
  links.b = new PeerLink({ ...options, peer: 'a', initiator: false, events: events('b', 'a') })
  links.a = new PeerLink({ ...options, peer: 'b', initiator: true, events: events('a', 'b') })
  const opened = async () => {
    const deadline = Date.now() + 10_000
    while (!(links.a?.isOpen && links.b?.isOpen)) {
      if (Date.now() > deadline) throw new Error('link did not open')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  return { a: links.a, b: links.b, spy, closed, received, opened }
}

const until = async (check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('a peer link', () => {
  it('drops a peer that sends a malformed frame, instead of passing it on', async () => {
    const { a, b, spy, closed, received, opened } = pair()
    await opened()
    // The initiator's channel is the second one created (the answerer's came first).
    const raw = spy.channels[1] as RTCDataChannel
    raw.send(Uint8Array.of(9, 9, 9))
    await until(() => closed.b !== undefined)
    expect(closed.b).toBe('protocol')
    expect(received.b).toEqual([])
    a.close('local')
    b.close('local')
  })

  it('refuses a forged 100 MB message at its first chunk', async () => {
    const { a, b, spy, closed, opened } = pair()
    await opened()
    const header = new Uint8Array(18 + 10)
    const view = new DataView(header.buffer)
    header[0] = 1
    header[1] = 1
    view.setUint32(2, 1)
    view.setUint32(6, 0)
    view.setUint32(10, 1600)
    view.setUint32(14, 100_000_000)
    ;(spy.channels[1] as RTCDataChannel).send(header)
    await until(() => closed.b !== undefined)
    expect(closed.b).toBe('protocol')
    a.close('local')
    b.close('local')
  })

  it('tells the other side at once when closed on purpose (bye), and by heartbeat when not', async () => {
    const first = pair()
    await first.opened()
    first.a.close('local')
    await until(() => first.closed.b !== undefined, 2_000)
    expect(first.closed.b).toBe('bye')

    const second = pair({ heartbeatMs: 100, deadAfterMs: 600 })
    await second.opened()
    // a freezes: it still hears b, but nothing it sends goes out any more.
    ;(second.spy.channels[1] as RTCDataChannel).send = () => {}
    const started = Date.now()
    await until(() => second.closed.b !== undefined, 5_000)
    expect(second.closed.b).toBe('silent')
    expect(Date.now() - started).toBeLessThan(1_500)
    second.a.close('local')
  })
})
