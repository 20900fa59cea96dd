import type { RoomPeer } from '@tessera/client'
import { formatPercent, shortId } from './format.ts'

const MAX_ROWS = 50

/** The room's peers as table rows, this tab first. */
export function renderPeers(body: HTMLTableSectionElement, peers: readonly RoomPeer[]): void {
  const rows = peers.slice(0, MAX_ROWS).map((peer) => {
    const row = document.createElement('tr')
    if (peer.self) row.className = 'self'
    const id = document.createElement('td')
    const code = document.createElement('code')
    code.textContent = shortId(peer.id)
    code.title = peer.id
    id.append(code, peer.self ? ' (this tab)' : '')
    row.append(id, cell(peer.kind), cell(String(peer.workers)), cell(peer.workers > 0 ? formatPercent(peer.load) : '–'))
    return row
  })
  body.replaceChildren(...rows)
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td')
  td.textContent = text
  return td
}
