import type { MeshPeer, PresenceRecord } from '@tessera/mesh/node'
import type { JobSummary, Swarm } from '@tessera/runtime'

/** Peer kinds as the donate page names them: a browser `tab`, or a Node `host`. */
export type PeerKind = 'tab' | 'host'

export function peerKindOf(record: Pick<PresenceRecord, 'kind'>): PeerKind {
  return record.kind === 'browser' ? 'tab' : 'host'
}

export interface PeerRow {
  readonly id: string
  readonly kind: PeerKind
  readonly workers: number
  readonly load: number
  readonly version: string
}

/** What `tessera status` prints: the room as one peer sees it. */
export interface SwarmReport {
  readonly room: string
  readonly signaling: string
  /**
   * The other peers in the room: never the one `tessera status` joined as,
   * nor one that has left the signaling server (an earlier `tessera status`,
   * whose presence record lingers for a few seconds), in the table and in `--json` alike.
   */
  readonly peers: readonly PeerRow[]
  readonly workers: number
  readonly jobs: readonly JobSummary[]
  readonly queue: { readonly queued: number; readonly running: number }
}

export function swarmReport(swarm: Swarm<MeshPeer>, where: { readonly room: string; readonly signaling: string }): SwarmReport {
  const self = swarm.peer.id
  const inRoom = swarm.peer.mesh.knownPeers()
  const peers = swarm.peer.presence
    .list()
    .filter((p) => p.peer !== self && inRoom.has(p.peer))
    .map((p) => ({ id: p.peer, kind: peerKindOf(p), workers: p.workers, load: p.load, version: p.version }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id))
  const jobs = swarm.jobs()
  const open = jobs.filter((job) => job.state === 'open')
  return {
    ...where,
    peers,
    workers: peers.reduce((sum, p) => sum + p.workers, 0),
    jobs,
    queue: { queued: open.reduce((sum, j) => sum + j.queued, 0), running: open.reduce((sum, j) => sum + j.running, 0) },
  }
}

/** Left-aligned columns, two spaces apart. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

export function formatReport(report: SwarmReport, now = Date.now()): string {
  const lines = [`room "${report.room}" on ${report.signaling}`, '']
  if (report.peers.length === 0) lines.push('peers: none (open the donate page, or run `tessera run` with workers)')
  else {
    lines.push(`peers: ${report.peers.length}`)
    lines.push(
      indent(
        table(
          ['ID', 'KIND', 'WORKERS', 'LOAD', 'VERSION'],
          report.peers.map((p) => [p.id, p.kind, String(p.workers), `${Math.round(p.load * 100)}%`, p.version]),
        ),
      ),
    )
  }
  lines.push('', `workers: ${report.workers}`, '')
  if (report.jobs.length === 0) lines.push('jobs: none')
  else {
    lines.push(`jobs: ${report.jobs.length}`)
    lines.push(
      indent(
        table(
          ['ID', 'NAME', 'STATE', 'DONE/TOTAL', 'RUNNING', 'QUEUED', 'FAILED', 'AGE'],
          report.jobs.map((j) => [j.id, j.name, j.state, `${j.done}/${j.total}`, String(j.running), String(j.queued), String(j.failed), age(now - j.createdAt)]),
        ),
      ),
    )
  }
  lines.push('', `queue: ${report.queue.queued} queued, ${report.queue.running} running`)
  return lines.join('\n')
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}

export function age(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86_400)}d`
}
