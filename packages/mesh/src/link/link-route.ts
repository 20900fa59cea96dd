/** The kinds of ICE candidate (RFC 8445): a relay one is an address on a TURN server. */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay'

/** Which path a link's packets take: the candidate pair ICE selected, by type at each end. */
export interface LinkRoute {
  readonly local: CandidateType
  readonly remote: CandidateType
  /** How this end reaches its TURN server (`udp`, `tcp`, `tls`), for a local relay candidate. */
  readonly relayProtocol?: string
}

const CANDIDATE_TYPES: ReadonlySet<string> = new Set<CandidateType>(['host', 'srflx', 'prflx', 'relay'])

type Stats = Record<string, unknown>

/**
 * The selected candidate pair, read from `getStats()` the standard way (the
 * transport's `selectedCandidatePairId`), or from the nominated pair that
 * succeeded where an implementation does not report it; undefined before ICE
 * has chosen one.
 */
export async function selectedRoute(pc: Pick<RTCPeerConnection, 'getStats'>): Promise<LinkRoute | undefined> {
  const report = await pc.getStats()
  const byId = new Map<string, Stats>()
  report.forEach((entry: Stats, id: string) => byId.set(id, entry))
  const entries = [...byId.values()]
  const selectedId = entries.find((entry) => entry['type'] === 'transport' && typeof entry['selectedCandidatePairId'] === 'string')?.['selectedCandidatePairId']
  const pair =
    (typeof selectedId === 'string' ? byId.get(selectedId) : undefined) ??
    entries.find((entry) => entry['type'] === 'candidate-pair' && entry['nominated'] === true && entry['state'] === 'succeeded')
  if (pair === undefined) return undefined
  const local = byId.get(String(pair['localCandidateId']))
  const remote = byId.get(String(pair['remoteCandidateId']))
  const localType = local?.['candidateType']
  const remoteType = remote?.['candidateType']
  if (typeof localType !== 'string' || !CANDIDATE_TYPES.has(localType) || typeof remoteType !== 'string' || !CANDIDATE_TYPES.has(remoteType)) return undefined
  const relayProtocol = local?.['relayProtocol']
  return {
    local: localType as CandidateType,
    remote: remoteType as CandidateType,
    ...(localType === 'relay' && typeof relayProtocol === 'string' ? { relayProtocol } : {}),
  }
}
