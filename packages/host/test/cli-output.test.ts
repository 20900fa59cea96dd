import { describe, expect, it } from 'vitest'
import { formatDuration, formatProgress, ProgressReporter } from '../src/cli/progress-bar.ts'
import { formatJobHistory } from '../src/cli/job-history.ts'
import { formatResult } from '../src/cli/run-job.ts'
import { formatRunSummary } from '../src/cli/run-summary.ts'
import { formatReport, table, type SwarmReport } from '../src/cli/swarm-report.ts'

const progress = (done: number, total: number, cached = 0, failed = 0, workers = 1) => ({ done, total, cached, failed, running: 0, workers })

class Recorder {
  text = ''
  constructor(readonly isTTY: boolean) {}
  write(chunk: string): void {
    this.text += chunk
  }
}

describe('progress', () => {
  it('formats done/total, percentage, rate of computed tasks, ETA and cache hits', () => {
    expect(formatProgress({ label: 'pi', ...progress(50, 200, 10), elapsedMs: 4_000 }, 10)).toBe(
      'pi [###.......] 50/200 25% 10 tasks/s ETA 15s cached 10',
    )
    expect(formatProgress({ label: 'pi', ...progress(0, 4), elapsedMs: 0 }, 4)).toBe('pi [....] 0/4 0% 0.0 tasks/s ETA ? cached 0')
    expect(formatProgress({ label: 'grid', ...progress(4, 4, 4, 1), elapsedMs: 10 }, 4)).toBe('grid [####] 4/4 100% 0.0 tasks/s done cached 4 failed 1')
  })

  it('writes durations as people read them', () => {
    expect([formatDuration(400), formatDuration(9_000), formatDuration(65_000), formatDuration(7_380_000)]).toEqual(['0s', '9s', '1m05s', '2h03m'])
  })

  it('without a terminal, prints a line per interval and always the last one', () => {
    let now = 0
    const out = new Recorder(false)
    const reporter = new ProgressReporter(out, { now: () => now, intervalMs: 3_000 })
    const bar = reporter.batch('pi')
    bar.update(progress(0, 10))
    now = 1_000
    bar.update(progress(2, 10))
    now = 3_500
    bar.update(progress(6, 10))
    now = 4_000
    bar.update(progress(10, 10, 1))
    bar.update(progress(10, 10, 1))
    expect(out.text.split('\n').filter(Boolean).map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual([
      'pi [....................] 0/10',
      'pi [############........] 6/10',
      'pi [####################] 10/10',
    ])
    expect(reporter.totals).toEqual({ done: 10, cached: 1, failed: 0 })
  })

  it('on a terminal, redraws one line in place and ends it when the batch is done', () => {
    let now = 0
    const out = new Recorder(true)
    const reporter = new ProgressReporter(out, { now: () => now, redrawMs: 100 })
    const bar = reporter.batch('pi')
    bar.update(progress(1, 2))
    now = 50
    bar.update(progress(1, 2)) // too soon: not drawn
    reporter.log('a message')
    now = 200
    bar.update(progress(2, 2))
    expect(out.text.split('\r\u001b[2K').filter(Boolean)).toEqual([
      'pi [##########..........] 1/2 50% 0.0 tasks/s ETA ? cached 0',
      'a message\n',
      'pi [####################] 2/2 100% 10 tasks/s done cached 0\n',
    ])
  })
})

describe('summaries', () => {
  it('says where the tasks ran', () => {
    expect(formatRunSummary({ done: 300, cached: 20, ranHere: 200, workers: 1 })).toBe('300 tasks: 200 ran here (1 worker), 80 on other peers, 20 from the cache')
    // Speculative copies can make this host run more than it was answered by: never negative elsewhere.
    expect(formatRunSummary({ done: 10, cached: 0, ranHere: 12, workers: 2 })).toBe('10 tasks: 10 ran here (2 workers), 0 on other peers, 0 from the cache')
    expect(formatRunSummary({ done: 30, cached: 26, failed: 4, ranHere: 0, workers: 0 })).toBe(
      '30 tasks: 0 ran here (0 workers), 4 on other peers, 26 from the cache; 4 failed (tessera run --retry-failed runs them again)',
    )
  })

  it('prints results as JSON when they have one', () => {
    expect(formatResult('text')).toBe('text')
    expect(formatResult({ pi: 3.14 })).toBe('{\n  "pi": 3.14\n}')
    expect(formatResult(10n)).toBe('10n')
  })

  it('prints the peers, workers, jobs and queue as tables', () => {
    const report: SwarmReport = {
      room: 'default',
      signaling: 'ws://127.0.0.1:8787',
      peers: [{ id: 'p1', kind: 'tab', workers: 4, load: 0.5, version: '0.1.0' }],
      workers: 4,
      jobs: [{ id: 'j1', name: 'pi', state: 'open', submittedBy: 'h', createdAt: 0, total: 10, queued: 3, running: 2, done: 5, failed: 0 }],
      queue: { queued: 3, running: 2 },
    }
    expect(formatReport(report, 90_000)).toBe(
      [
        'room "default" on ws://127.0.0.1:8787',
        '',
        'peers: 1',
        '  ID  KIND  WORKERS  LOAD  VERSION',
        '  p1  tab   4        50%   0.1.0',
        '',
        'workers: 4',
        '',
        'jobs: 1',
        '  ID  NAME  STATE  DONE/TOTAL  RUNNING  QUEUED  FAILED  AGE',
        '  j1  pi    open   5/10        2        3       0       1m',
        '',
        'queue: 3 queued, 2 running',
      ].join('\n'),
    )
    expect(table(['A', 'B'], [])).toBe('A  B')
  })
})

describe('tessera jobs', () => {
  it('with no jobs, points at --cache-dir unless it was read', () => {
    expect(formatJobHistory([])).toBe('jobs: none (none is open, and no peer in the room remembers a finished one)\n--cache-dir .tessera also reads the jobs a host stored there')
    expect(formatJobHistory([], { readCacheDir: true })).toBe('jobs: none (none is open, and no peer in the room remembers a finished one)')
  })
})
