/**
 * Room admins the operator names by key: their subject certificates say
 * `admin: true`, and every peer then lets them cancel anyone's job in that
 * room (`@tessera/core`'s admin-cancellation). Admin room tokens are the
 * other way to make one (`signRoomToken({ admin: true })`).
 */
import { isKeyPeerId } from '@tessera/core'

/** A key that is an admin in one room, or in every room when `room` is absent. */
export interface AdminGrant {
  readonly peer: string
  readonly room?: string
}

/**
 * Parses what `--admin` and `TESSERA_ADMINS` take: entries separated by
 * commas, each a peer id (an admin everywhere) or `room=peer id` (in that
 * room). Peer ids have no `=`, so a room name may. Throws `TypeError` on an
 * entry that names no key id.
 */
export function parseAdminGrants(text: string): AdminGrant[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const split = entry.lastIndexOf('=')
      return split === -1 ? { peer: entry } : { room: entry.slice(0, split), peer: entry.slice(split + 1) }
    })
    .map((grant) => checkedGrant(grant))
}

/** Whether `peer` is an admin in `room` under `grants`; throws `TypeError` at start-up on a grant that names no key id. */
export function adminMatcher(grants: readonly AdminGrant[] = []): (room: string, peer: string) => boolean {
  const everywhere = new Set<string>()
  const inRoom = new Set<string>()
  for (const grant of grants.map(checkedGrant)) {
    if (grant.room === undefined) everywhere.add(grant.peer)
    else inRoom.add(JSON.stringify([grant.room, grant.peer]))
  }
  return (room, peer) => everywhere.has(peer) || inRoom.has(JSON.stringify([room, peer]))
}

function checkedGrant(grant: AdminGrant): AdminGrant {
  if (!isKeyPeerId(grant.peer)) {
    throw new TypeError(`admin ${JSON.stringify(grant.peer)} is not a key peer id (k followed by 43 base64url characters; a host prints its id, and tessera status lists them)`)
  }
  if (grant.room !== undefined && grant.room.length === 0) throw new TypeError(`admin ${grant.peer}: the room before "=" is empty`)
  return grant
}
