import type { DisconnectReason } from './metrics.ts'

/** What the hub needs of a connection; server.ts implements it over a WebSocket, tests over anything. */
export interface HubConnection {
  /** Queues one serialized frame; false when it was not sent (socket gone or too far behind). */
  send(text: string): boolean
  /** Ends the connection; the owner calls `SignalingHub.disconnect` once it is closed. */
  end(code: number, reason: string, why: DisconnectReason): void
  /** Where it comes from (the socket's remote address): room creation is capped per address. */
  readonly address?: string
}

/** WebSocket close codes the hub uses. */
export const CloseCode = {
  goingAway: 1001,
  policyViolation: 1008,
  tryAgainLater: 1013,
} as const
