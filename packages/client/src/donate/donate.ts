import { connect, type ConnectOptions } from '../connect.ts'
import { SandboxedExecutor } from '../sandbox/sandboxed-executor.ts'
import { defaultWebWorkerCount } from '../web-worker-executor.ts'
import { WorkerClock } from '../worker-clock.ts'
import { Donation } from './donation.ts'
import { documentVisibility, type VisibilitySource } from './visibility.ts'

export interface DonateOptions {
  /** The signaling server. Default: the server this page came from, `ws(s)://<location.host>`. */
  readonly signaling?: string | readonly string[]
  /** Default `default`. */
  readonly room?: string
  /** For private rooms. */
  readonly token?: string
  /** Workers that take tasks; 0 stays connected and donates nothing. Default: one per core, less one. */
  readonly workers?: number
  /** Donate only while the tab is visible. Default false. */
  readonly idleOnly?: boolean
  /** IndexedDB database for the swarm's documents and cache; `false` keeps them in memory. Default `tessera`. */
  readonly database?: string | false
  readonly replication?: ConnectOptions['replication']
  /** How often `stats` events fire. Default 500 ms. */
  readonly statsIntervalMs?: number
  /** Where visibility comes from; tests pass their own. Default: the document's. */
  readonly visibility?: VisibilitySource
}

/** `ws://host:port` (or `wss://`) of the page's own server: where `tessera serve` answers. */
export function sameOriginSignaling(location: { protocol: string; host: string } = globalThis.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`
}

/**
 * Donates this tab's spare CPU to a swarm: joins the room and runs other
 * people's pure functions in sandboxed workers (see `SandboxedExecutor`), which
 * cannot reach this page, its storage or the network. Returns at once; the
 * handle's `ready` resolves once connected, and its events report progress.
 *
 * ```ts
 * const donation = donate({ room: 'demo', workers: 2 })
 * donation.on('stats', (s) => console.log(s.tasksRun))
 * donation.pause(); donation.resume(); donation.setWorkers(4)
 * await donation.leave()
 * ```
 */
export function donate(options: DonateOptions = {}): Donation {
  const workers = options.workers ?? defaultWebWorkerCount()
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`workers must be a whole number, 0 or more; got ${workers}`)
  const room = options.room ?? 'default'
  const idleOnly = options.idleOnly ?? false
  const visibility = options.visibility ?? documentVisibility()
  const startWorkers = idleOnly && !visibility.visible ? 0 : workers
  const connecting = (async () => {
    // Watchdogs on a worker-driven clock: a hidden tab's own timers lag by up to a minute.
    const clock = new WorkerClock()
    const executor = new SandboxedExecutor({ workers: startWorkers, clock })
    try {
      const swarm = await connect({
        signaling: options.signaling ?? sameOriginSignaling(),
        room,
        // The donor always exists, so that workers can go from 0 to more later; Donation pauses it at 0.
        workers: Math.max(1, workers),
        executor,
        load: () => executor.busy / Math.max(1, executor.workers),
        // A volunteer's tab keeps trying a signaling server that is down, as before, and shows it not connected.
        offline: true,
        ...(options.token === undefined ? {} : { token: options.token }),
        ...(options.database === undefined ? {} : { database: options.database }),
        ...(options.replication === undefined ? {} : { replication: options.replication }),
      })
      return { swarm, executor, release: () => clock.close() }
    } catch (error) {
      await executor.close()
      clock.close()
      throw error
    }
  })()
  return new Donation({ room, workers, idleOnly, visibility, statsIntervalMs: options.statsIntervalMs ?? 500 }, connecting)
}
