import type { DonationState, DonationStats } from '@tessera/client'
import { plural } from './format.ts'

/**
 * What the pill at the top says, and the colour it takes (`data-state`):
 * green only while this tab computes. Connected with nothing to run is
 * `idle`; a lost signaling server is `offline`, whatever the donation's state.
 */
export type ShownState = DonationState | 'idle' | 'offline'

/** A tab that ran a task this recently still counts as donating: claims come in bursts, with gaps between. */
export const RECENT_WORK_MS = 3_000

export interface StateInput {
  readonly state: DonationState
  readonly stats: DonationStats | undefined
  /** When this tab last held or finished a task (0: never). */
  readonly lastWorkAt: number
  readonly now: number
}

export function shownState({ state, stats, lastWorkAt, now }: StateInput): { readonly state: ShownState; readonly text: string } {
  if (state === 'connecting') return { state, text: 'Connecting…' }
  if (state === 'left') return { state, text: 'Stopped: you left the swarm. Reload the page to donate again.' }
  if (state === 'failed') return { state, text: `Could not connect${stats?.error === undefined ? '' : `: ${stats.error}`}` }
  if (stats?.signaling === false) {
    const others = stats.peers.filter((peer) => !peer.self).length
    const links = others > 0 ? `; ${plural(others, 'peer')} still linked` : ''
    return { state: 'offline', text: `Not connected: the signaling server is unreachable, retrying${links}` }
  }
  if (state === 'paused') return { state, text: 'Paused: connected, taking no new tasks' }
  if (state === 'waiting') return { state, text: 'Waiting: this tab is hidden, and donates only while visible' }
  if (now - lastWorkAt <= RECENT_WORK_MS) return { state, text: 'Donating' }
  const workers = stats === undefined ? '' : `: ${plural(stats.activeWorkers, 'worker')} ready`
  return { state: 'idle', text: `Waiting for work${workers}` }
}
