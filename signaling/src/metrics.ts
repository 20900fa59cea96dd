/**
 * Counters the server keeps, rendered in Prometheus' text exposition format.
 * Gauges (connections, rooms) are read from the live state at render time
 * rather than tracked here, so they cannot drift from it.
 */
import type { ErrorCode } from './protocol.ts'

/** Why a connection ended, as counted in `tessera_signaling_disconnects_total`. */
export type DisconnectReason =
  | 'closed' // the client or the network ended it
  | 'too-large' // a frame over maxPayload (ws closes with 1009)
  | 'protocol-error' // invalid WebSocket framing or UTF-8
  | 'flood' // kept sending far past the rate limit (1008)
  | 'keepalive' // did not answer a ping
  | 'slow-consumer' // let too much outgoing data pile up
  | 'server-full' // over maxConnections (1013)
  | 'shutdown' // the server is closing (1001)

// Records keyed by every member of the unions, so adding a code without a
// metric series is a type error.
const ERROR_CODES = Object.keys({
  'bad-frame': 0,
  'too-large': 0,
  'rate-limited': 0,
  'too-many-rooms': 0,
  'too-many-new-rooms': 0,
  unauthorized: 0,
  'unproven-peer': 0,
  'too-many-identities': 0,
  'not-subscribed': 0,
  'server-full': 0,
} satisfies Record<ErrorCode, 0>) as ErrorCode[]

const DISCONNECT_REASONS = Object.keys({
  closed: 0,
  'too-large': 0,
  'protocol-error': 0,
  flood: 0,
  keepalive: 0,
  'slow-consumer': 0,
  'server-full': 0,
  shutdown: 0,
} satisfies Record<DisconnectReason, 0>) as DisconnectReason[]

export interface MetricsSnapshot {
  /** Open connections. */
  readonly connections: number
  /** Topics with at least one member. */
  readonly rooms: number
  readonly connectionsTotal: number
  readonly framesReceived: number
  /** Relayed `publish` frames, one per recipient. */
  readonly messagesRelayed: number
  readonly certificatesIssued: number
  /** Refused frames by error code (one per refused frame, whether or not an error frame was sent). */
  readonly rejected: Readonly<Record<ErrorCode, number>>
  readonly disconnects: Readonly<Record<DisconnectReason, number>>
}

export interface LiveGauges {
  readonly connections: number
  readonly rooms: number
}

export class SignalingMetrics {
  connectionsTotal = 0
  framesReceived = 0
  messagesRelayed = 0
  /** Subject certificates signed (a certificate reused for a re-subscribe is not counted again). */
  certificatesIssued = 0
  private readonly rejected = Object.fromEntries(ERROR_CODES.map((code) => [code, 0])) as Record<ErrorCode, number>
  private readonly disconnects = Object.fromEntries(DISCONNECT_REASONS.map((reason) => [reason, 0])) as Record<DisconnectReason, number>

  reject(code: ErrorCode): void {
    this.rejected[code] += 1
  }

  disconnect(reason: DisconnectReason): void {
    this.disconnects[reason] += 1
  }

  snapshot(gauges: LiveGauges): MetricsSnapshot {
    return {
      connections: gauges.connections,
      rooms: gauges.rooms,
      connectionsTotal: this.connectionsTotal,
      framesReceived: this.framesReceived,
      messagesRelayed: this.messagesRelayed,
      certificatesIssued: this.certificatesIssued,
      rejected: { ...this.rejected },
      disconnects: { ...this.disconnects },
    }
  }

  /** Prometheus text format, version 0.0.4. */
  render(gauges: LiveGauges): string {
    const lines: string[] = []
    const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: ReadonlyArray<readonly [string, number]>): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
    }
    metric('tessera_signaling_connections', 'gauge', 'Open WebSocket connections.', [['', gauges.connections]])
    metric('tessera_signaling_rooms', 'gauge', 'Topics with at least one member.', [['', gauges.rooms]])
    metric('tessera_signaling_connections_total', 'counter', 'WebSocket connections accepted since start.', [['', this.connectionsTotal]])
    metric('tessera_signaling_frames_received_total', 'counter', 'Frames received from clients, valid or not.', [['', this.framesReceived]])
    metric('tessera_signaling_messages_relayed_total', 'counter', 'Publish frames relayed, counted once per recipient.', [['', this.messagesRelayed]])
    metric('tessera_signaling_certificates_issued_total', 'counter', 'Subject certificates signed.', [['', this.certificatesIssued]])
    metric(
      'tessera_signaling_messages_rejected_total',
      'counter',
      'Frames refused, by error code.',
      ERROR_CODES.map((code) => [`{reason="${code}"}`, this.rejected[code]]),
    )
    metric(
      'tessera_signaling_disconnects_total',
      'counter',
      'Connections ended, by reason.',
      DISCONNECT_REASONS.map((reason) => [`{reason="${reason}"}`, this.disconnects[reason]]),
    )
    return `${lines.join('\n')}\n`
  }
}
