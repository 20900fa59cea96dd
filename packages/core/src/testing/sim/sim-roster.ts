import type { PeerId } from '../../ids.ts'
import { Roster } from '../../peer/roster.ts'
import type { SimulatedNetwork } from './simulated-network.ts'

interface Rendezvous {
  readonly origins: Map<PeerId, string>
  readonly rosters: Set<Roster>
}

/** One simulated signaling server per network: it vouches for every peer that joined and has not left or died. */
const rendezvous = new WeakMap<SimulatedNetwork, Rendezvous>()

/** A peer's roster in the simulator, fed by its network's rendezvous; `origin` stands for its address. */
export function joinSimRoster(network: SimulatedNetwork, self: PeerId, origin: string): { roster: Roster; leave: () => void } {
  let room = rendezvous.get(network)
  if (room === undefined) rendezvous.set(network, (room = { origins: new Map(), rosters: new Set() }))
  const roster = new Roster()
  roster.replace(room.origins)
  room.origins.set(self, origin)
  for (const other of room.rosters) other.set(self, origin)
  room.rosters.add(roster)
  roster.set(self, origin)
  const joined = room
  let left = false
  return {
    roster,
    leave: () => {
      if (left) return
      left = true
      joined.rosters.delete(roster)
      joined.origins.delete(self)
      for (const other of joined.rosters) other.delete(self)
    },
  }
}
