/**
 * Where the donate page of a room is, as `tessera serve` serves it: on the
 * signaling server's own port, over HTTP(S) instead of WS(S).
 */
export function donatePageUrl(signaling: string, room: string): string {
  const http = signaling.replace(/^ws(s?):\/\//, 'http$1://').replace(/\/+$/, '')
  return `${http}/?room=${encodeURIComponent(room)}`
}

/** What `tessera run` prints when nobody in the room has workers. */
export function noWorkersHint(signaling: string, room: string): string {
  return (
    `workers: 0: nobody in room "${room}" can run these calls. Open ${donatePageUrl(signaling, room)} in a browser tab to donate it, ` +
    'or start a host with workers (`tessera run --workers N`); the calls wait until then.'
  )
}
