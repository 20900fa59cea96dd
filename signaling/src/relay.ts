import { isKeyPeerId } from '@tessera/core'
import type { HubConnection } from './hub-connection.ts'
import type { SignalingMetrics } from './metrics.ts'
import type { ClientFrame, ServerFrame } from './protocol.ts'
import type { Rooms } from './rooms.ts'

/** Where a frame goes when its reader is on another signaling instance (`Cluster`). */
export interface RelayElsewhere {
  relayTo(topic: string, peer: string, text: string): boolean
  relayAll(topic: string, text: string): void
}

type PublishFrame = Extract<ClientFrame, { type: 'publish' }>

/**
 * Passes a member's publish on: to the peer it names when that peer is bound
 * in the room, else to every other member (y-webrtc filters by `to` itself),
 * stamped with the sender's bound id as `from`.
 */
export function relayPublish<C extends HubConnection>(rooms: Rooms<C>, metrics: SignalingMetrics, conn: C, frame: PublishFrame, elsewhere?: RelayElsewhere): void {
  const { topic, data } = frame
  const from = rooms.bindingOf(conn, topic)?.peer
  const named = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>)['to'] : undefined
  const to = frame.to ?? (typeof named === 'string' ? named : undefined)
  const target = to === undefined ? undefined : rooms.connectionOf(topic, to)
  const text = JSON.stringify({ type: 'publish', topic, data, ...(from === undefined ? {} : { from }) } satisfies ServerFrame)
  if (target !== undefined) {
    if (target.send(text)) metrics.messagesRelayed += 1
    return
  }
  if (to !== undefined && elsewhere?.relayTo(topic, to, text) === true) return
  // Only the connection that proved a key may read what is addressed to it: with that peer away,
  // the frame has no reader, and broadcasting it (as below) would hand it to everyone else.
  if (to !== undefined && isKeyPeerId(to)) return
  for (const member of [...rooms.members(topic)]) {
    if (member !== conn && member.send(text)) metrics.messagesRelayed += 1
  }
  elsewhere?.relayAll(topic, text)
}
