/**
 * Where the donate page of a room is, as `tessera serve` serves it: on the
 * signaling server's own port, over HTTP(S) instead of WS(S).
 */
export function donatePageUrl(signaling: string, room: string): string {
  const http = signaling.replace(/^ws(s?):\/\//, 'http$1://').replace(/\/+$/, '')
  return `${http}/?room=${encodeURIComponent(room)}`
}

/**
 * What `tessera run` prints when nobody in the room has workers; with
 * `failAfterMs` (`--fail-if-no-workers`) the calls fail after that long.
 */
export function noWorkersHint(signaling: string, room: string, failAfterMs?: number): string {
  const then =
    failAfterMs === undefined
      ? 'the calls wait until then (--fail-if-no-workers fails them instead).'
      : `the calls fail if nobody has workers for ${formatSeconds(failAfterMs)}.`
  return (
    `workers: 0: nobody in room "${room}" can run these calls. Open ${donatePageUrl(signaling, room)} in a browser tab to donate it, ` +
    `or start a host with workers (\`tessera run --workers N\`); ${then}`
  )
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1_000
  return seconds === 1 ? '1 second' : `${seconds} seconds`
}
