import { Identity } from '@tessera/core'
import { peerBindingMessage, type ClientFrame, type PeerMeta } from '../../src/protocol.ts'

type SubscribeFrame = Extract<ClientFrame, { type: 'subscribe' }>

const identities = new Map<string, Identity>()

/** The same key pair for the same name in every test, so tests can speak of peers as 'A' or 'alice'. */
export function identityOf(name: string): Identity {
  let identity = identities.get(name)
  if (identity === undefined) {
    identity = Identity.fromSeed(`signaling-test ${name}`)
    identities.set(name, identity)
  }
  return identity
}

/** The peer id (a key id) of the test identity `name`. */
export function idOf(name: string): string {
  return identityOf(name).peer
}

/** `name`'s signature of a connection's challenge: what a subscribe binding its id carries. */
export function proofFor(connection: { readonly challenge: string }, name: string): string {
  return identityOf(name).sign(peerBindingMessage(connection.challenge))
}

/** A subscribe that binds `idOf(name)` on `connection`, proven with that identity's key. */
export function provenSubscribe(
  connection: { readonly challenge: string },
  name: string,
  topics: readonly string[],
  extra: { readonly token?: string; readonly meta?: PeerMeta } = {},
): SubscribeFrame {
  return { type: 'subscribe', topics, peer: idOf(name), proof: proofFor(connection, name), ...extra }
}
