import { monitorEventLoopDelay } from 'node:perf_hooks'

/** The worst delay of the event loop while it runs, in ms: how long anything else had to wait. */
export function watchEventLoop(): { readonly worstMs: () => number; stop(): number } {
  const histogram = monitorEventLoopDelay({ resolution: 5 })
  histogram.enable()
  const worstMs = (): number => histogram.max / 1e6
  return {
    worstMs,
    stop: () => {
      histogram.disable()
      return worstMs()
    },
  }
}
