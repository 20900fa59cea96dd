import { afterEach, describe, expect, it } from 'vitest'
import { checkProxyTrust, clientAddress, UntrustedForwardingError } from '../src/client-address.ts'
import type { ServerFrame } from '../src/protocol.ts'
import type { SignalingServer } from '../src/server.ts'
import { Harness, TestClient } from './support/client.ts'
import { provenSubscribe } from './support/identities.ts'

const h = new Harness()
afterEach(() => h.cleanup())

/** The subject the server certifies for `name` on a connection that carries `forwardedFor`. */
async function subjectThrough(server: SignalingServer, name: string, forwardedFor?: string): Promise<string | undefined> {
  const client = await h.client(server, forwardedFor === undefined ? {} : { headers: { 'x-forwarded-for': forwardedFor } })
  client.send(provenSubscribe(client, name, ['public']))
  const answer = await client.next('subscribed')
  return (answer as Extract<ServerFrame, { type: 'subscribed' }>).self?.certificate?.subject
}

describe('behind a reverse proxy (trustProxy)', () => {
  it('counts each client as the address its trusted proxy forwarded, not as this machine', async () => {
    const server = await h.server({ trustProxy: ['loopback'] })
    const alice = await subjectThrough(server, 'alice', '203.0.113.7')
    const bob = await subjectThrough(server, 'bob', '198.51.100.20')
    const aliceAgain = await subjectThrough(server, 'carol', '198.51.100.99, 203.0.113.7')
    expect(alice).toMatch(/^net:/)
    expect(bob).toMatch(/^net:/)
    expect(bob).not.toBe(alice)
    // What a client wrote to the left of its real address changes nothing.
    expect(aliceAgain).toBe(alice)
  })

  it('without trustProxy, forwarded headers are ignored: a loopback connection stays local:, and the operator is told', async () => {
    const lines: string[] = []
    const server = await h.server({ log: (line) => lines.push(line) })
    expect(await subjectThrough(server, 'alice', '203.0.113.7')).toMatch(/^local:/)
    expect(lines.some((line) => line.includes('X-Forwarded-For') && line.includes('--trust-proxy'))).toBe(true)
  })

  it('refuses a connection from a trusted proxy that names no client, instead of giving it the proxy machine\'s subject', async () => {
    const server = await h.server({ trustProxy: ['loopback'] })
    await expect(TestClient.connect(server.url)).rejects.toThrow(/400/)
  })

  it('reads proxies as addresses, IPv4 ranges or loopback, and refuses anything else at start-up', async () => {
    expect(clientAddress('10.1.2.3', '203.0.113.7', { trustProxy: ['10.0.0.0/8'] })).toBe('203.0.113.7')
    expect(clientAddress('10.1.2.3', '203.0.113.7, 10.9.9.9', { trustProxy: ['10.0.0.0/8'] })).toBe('203.0.113.7')
    expect(clientAddress('192.0.2.1', '203.0.113.7', { trustProxy: ['10.0.0.0/8'] })).toBe('192.0.2.1')
    expect(clientAddress('::ffff:127.0.0.1', '2001:db8::1', { trustProxy: ['loopback'] })).toBe('2001:db8::1')
    expect(() => clientAddress('127.0.0.1', '127.0.0.1', { trustProxy: ['loopback'] })).toThrow(UntrustedForwardingError)
    expect(() => checkProxyTrust(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/)
    expect(() => checkProxyTrust(['proxy.example'])).toThrow(TypeError)
    await expect(h.server({ trustProxy: ['nonsense'] })).rejects.toThrow(/trustProxy/)
  })
})
