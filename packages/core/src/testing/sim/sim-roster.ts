import type { PeerId } from '../../ids.ts'
import { Identity } from '../../identity/identity.ts'
import { issueSubjectCertificate, MAX_CERTIFICATE_TIME, type SubjectCertificate } from '../../identity/subject-certificate.ts'
import { Roster, type RosterEntry } from '../../peer/roster.ts'
import type { SimulatedNetwork } from './simulated-network.ts'

interface Rendezvous {
  readonly entries: Map<PeerId, RosterEntry>
  readonly rosters: Set<Roster>
}

/** The room simulated peers are in, as their certificates name it. */
export const SIM_ROOM = 'sim'

/**
 * The simulated signaling server's certificate key: the same in every
 * simulation, so certificates (and records that embed them) are the same for
 * the same seed. Tests verify sim certificates against `simIssuer.peer`.
 */
export const simIssuer: Identity = Identity.fromSeed('tessera/sim-rendezvous')

/** One simulated signaling server per network: it vouches for every peer that joined and has not left or died. */
const rendezvous = new WeakMap<SimulatedNetwork, Rendezvous>()

/**
 * Issued certificates, by peer and subject: signing costs a millisecond with
 * the pure-JS engine and simulations start many peers with the same names.
 * Sim certificates never expire (virtual time starts at 0).
 */
const issued = new Map<string, SubjectCertificate>()

export function simCertificate(peer: PeerId, subject: string, admin = false): SubjectCertificate {
  const key = `${peer} ${subject} ${admin}`
  let certificate = issued.get(key)
  if (certificate === undefined) {
    certificate = issueSubjectCertificate(simIssuer, { peer, subject, room: SIM_ROOM, notBefore: 0, notAfter: MAX_CERTIFICATE_TIME, ...(admin ? { admin: true as const } : {}) })
    issued.set(key, certificate)
  }
  return certificate
}

/**
 * A peer's roster in the simulator, fed by its network's rendezvous: `origin`
 * stands for its address, `subject` for what the server certifies it as
 * (peers that share one count as one in a quorum), `admin` for a key the
 * operator made a room admin.
 */
export function joinSimRoster(
  network: SimulatedNetwork,
  self: PeerId,
  vouched: { readonly origin: string; readonly subject: string; readonly admin?: boolean; readonly now: () => number },
): { roster: Roster; leave: () => void } {
  let room = rendezvous.get(network)
  if (room === undefined) rendezvous.set(network, (room = { entries: new Map(), rosters: new Set() }))
  const roster = new Roster({ room: SIM_ROOM, now: vouched.now })
  roster.trustIssuer(simIssuer.peer)
  roster.replace(room.entries)
  const entry: RosterEntry = { origin: vouched.origin, certificate: simCertificate(self, vouched.subject, vouched.admin === true) }
  room.entries.set(self, entry)
  for (const other of room.rosters) other.set(self, entry)
  room.rosters.add(roster)
  roster.set(self, entry)
  const joined = room
  let left = false
  return {
    roster,
    leave: () => {
      if (left) return
      left = true
      joined.rosters.delete(roster)
      joined.entries.delete(self)
      for (const other of joined.rosters) other.delete(self)
    },
  }
}
