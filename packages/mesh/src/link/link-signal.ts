/**
 * What two peers say to each other through the signaling server to open a link.
 * Every signal names the attempt (`session`) it belongs to, so candidates from
 * an attempt that was given up cannot confuse the next one.
 */
export type LinkSignal =
  | { readonly type: 'offer'; readonly session: string; readonly sdp: string; readonly links: number }
  | { readonly type: 'answer'; readonly session: string; readonly sdp: string }
  | { readonly type: 'candidate'; readonly session: string; readonly candidate: CandidateInit }
  /** The offer was refused: the answerer is full. */
  | { readonly type: 'busy'; readonly session: string }
  /** "Please offer to me": browsers ask Node peers to make the offer (see `initiates`). */
  | { readonly type: 'invite'; readonly links: number }

export interface CandidateInit {
  readonly candidate: string
  readonly sdpMid?: string | null
  readonly sdpMLineIndex?: number | null
}

const MAX_SDP_LENGTH = 32 * 1024

/** Signals come from other peers through a relay: anything malformed is dropped. */
export function parseLinkSignal(data: unknown): LinkSignal | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const d = data as Record<string, unknown>
  const session = d.session
  const validSession = typeof session === 'string' && session.length > 0 && session.length <= 64
  switch (d.type) {
    case 'offer':
    case 'answer':
      if (!validSession || typeof d.sdp !== 'string' || d.sdp.length > MAX_SDP_LENGTH) return undefined
      if (d.type === 'answer') return { type: 'answer', session, sdp: d.sdp }
      return { type: 'offer', session, sdp: d.sdp, links: typeof d.links === 'number' ? d.links : 0 }
    case 'candidate': {
      const c = d.candidate as Record<string, unknown> | null
      if (!validSession || typeof c !== 'object' || c === null || typeof c.candidate !== 'string' || c.candidate.length > 1024) return undefined
      const sdpMid = typeof c.sdpMid === 'string' ? c.sdpMid : null
      const sdpMLineIndex = typeof c.sdpMLineIndex === 'number' ? c.sdpMLineIndex : null
      return { type: 'candidate', session, candidate: { candidate: c.candidate, sdpMid, sdpMLineIndex } }
    }
    case 'busy':
      return validSession ? { type: 'busy', session } : undefined
    case 'invite':
      return { type: 'invite', links: typeof d.links === 'number' ? d.links : 0 }
    default:
      return undefined
  }
}
