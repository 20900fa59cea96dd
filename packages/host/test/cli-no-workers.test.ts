import { describe, expect, it } from 'vitest'
import { donatePageUrl, noWorkersHint } from '../src/cli/donate-page-url.ts'
import { formatProgress, ProgressReporter } from '../src/cli/progress-bar.ts'

const progress = (done: number, total: number, workers: number) => ({ done, total, cached: 0, failed: 0, running: 0, workers })

describe('nobody to compute, on the command line', () => {
  it('the progress line says workers 0 while calls are left, and not once they are done', () => {
    expect(formatProgress({ label: 'pi', ...progress(0, 5, 0), elapsedMs: 1_000 }, 5)).toBe('pi [.....] 0/5 0% 0.0 tasks/s ETA ? cached 0 workers 0')
    expect(formatProgress({ label: 'pi', ...progress(0, 5, 3), elapsedMs: 1_000 }, 5)).toBe('pi [.....] 0/5 0% 0.0 tasks/s ETA ? cached 0')
    expect(formatProgress({ label: 'pi', ...progress(5, 5, 0), elapsedMs: 1_000 }, 5)).not.toContain('workers')
  })

  it('the donate page is on the signaling server’s port, over http(s)', () => {
    expect(donatePageUrl('ws://127.0.0.1:8787', 'default')).toBe('http://127.0.0.1:8787/?room=default')
    expect(donatePageUrl('wss://swarm.example.org/', 'lab one')).toBe('https://swarm.example.org/?room=lab%20one')
  })

  it('prints where to open the donate page once, the first time a batch waits with no workers', () => {
    let text = ''
    const reporter = new ProgressReporter({ isTTY: false, write: (chunk: string) => (text += chunk) }, { noWorkersHint: noWorkersHint('ws://10.0.0.2:8787', 'lab') })
    const bar = reporter.batch('pi')
    bar.update(progress(0, 5, 0))
    bar.update(progress(0, 5, 0))
    reporter.batch('other').update(progress(0, 2, 0))
    const hints = text.split('\n').filter((line) => line.startsWith('workers: 0'))
    expect(hints).toHaveLength(1)
    expect(hints[0]).toContain('http://10.0.0.2:8787/?room=lab')
    expect(hints[0]).toContain('the calls wait until then (--fail-if-no-workers fails them instead)')
  })

  it('with --fail-if-no-workers, the hint says how long the calls wait before they fail', () => {
    expect(noWorkersHint('ws://10.0.0.2:8787', 'lab', 30_000)).toMatch(/Open http:\/\/10\.0\.0\.2:8787\/\?room=lab .*; the calls fail if nobody has workers for 30 seconds\.$/)
    expect(noWorkersHint('ws://10.0.0.2:8787', 'lab', 1_000)).toContain('for 1 second.')
  })
})
