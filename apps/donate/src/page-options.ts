import { defaultWebWorkerCount, type DonateOptions } from '@tessera/client'

/**
 * The page's settings from its address: `?room=NAME` (default `default`),
 * `?signaling=ws://…` (default: the server this page came from; a comma-separated
 * list names instances sharing rooms, tried in turn on reconnection), `?workers=N`,
 * `?idleOnly=1`, `?token=…` for a private room (from `tessera token`), and
 * `?memory=1` to keep the swarm's data out of IndexedDB.
 */
export function pageOptions(search: string, cores: number): DonateOptions & { room: string; workers: number } {
  const query = new URLSearchParams(search)
  const asked = Number(query.get('workers') ?? Number.NaN)
  const workers = Number.isInteger(asked) && asked >= 0 ? Math.min(asked, cores) : defaultWebWorkerCount()
  const signaling = (query.get('signaling') ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0)
  const token = query.get('token')
  const yes = (name: string): boolean => ['1', 'true', 'yes'].includes(query.get(name) ?? '')
  return {
    room: query.get('room') || 'default',
    workers,
    idleOnly: yes('idleOnly'),
    ...(signaling.length === 0 ? {} : { signaling: signaling.length === 1 ? signaling[0] : signaling }),
    ...(token === null || token === '' ? {} : { token }),
    ...(yes('memory') ? { database: false } : {}),
  }
}
