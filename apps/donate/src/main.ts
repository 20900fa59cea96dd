import { donate, type Donation, type DonationState, type DonationStats } from '@tessera/client'
import { byId, setText } from './dom.ts'
import { formatCount, formatPercent, formatRate, plural } from './format.ts'
import { JobsView } from './jobs-view.ts'
import { pageOptions } from './page-options.ts'
import { renderPeers } from './peers-view.ts'
import { SampleWindow, sparklinePaths } from './sparkline.ts'
import { shownState } from './state-view.ts'

declare global {
  var tessera: { readonly donation: Donation } | undefined
}

const cores = Math.max(1, navigator.hardwareConcurrency || 1)
const options = pageOptions(location.search, cores)

const el = {
  room: byId('room-name', HTMLElement),
  state: byId('state', HTMLParagraphElement),
  workers: byId('workers', HTMLInputElement),
  workersValue: byId('workers-value', HTMLOutputElement),
  cores: byId('cores', HTMLSpanElement),
  idleOnly: byId('idle-only', HTMLInputElement),
  pause: byId('pause', HTMLButtonElement),
  resume: byId('resume', HTMLButtonElement),
  stop: byId('stop', HTMLButtonElement),
  tasksRun: byId('tasks-run', HTMLElement),
  tasksRunning: byId('tasks-running', HTMLElement),
  throughput: byId('throughput', HTMLSpanElement),
  throughputHere: byId('throughput-here', HTMLSpanElement),
  cacheEntries: byId('cache-entries', HTMLElement),
  cacheHitRate: byId('cache-hit-rate', HTMLElement),
  summary: byId('summary', HTMLParagraphElement),
  chartLine: byId('chart-line', SVGPathElement),
  chartArea: byId('chart-area', SVGPathElement),
  chartNow: byId('chart-now', HTMLSpanElement),
  chartPeak: byId('chart-peak', HTMLSpanElement),
  peerCount: byId('peer-count', HTMLSpanElement),
  tabCount: byId('tab-count', HTMLSpanElement),
  hostCount: byId('host-count', HTMLSpanElement),
  peers: byId('peers-list', HTMLTableSectionElement),
  jobsLeft: byId('jobs-left', HTMLParagraphElement),
}

setText(el.room, options.room)
setText(el.cores, String(cores))
el.workers.max = String(cores)
el.workers.value = String(options.workers)
setText(el.workersValue, String(options.workers))
el.idleOnly.checked = options.idleOnly ?? false

const donation = donate(options)
globalThis.tessera = { donation }
const jobs = new JobsView(byId('jobs-list', HTMLUListElement), byId('jobs-empty', HTMLElement))
const chart = new SampleWindow(120)
let lastChartSample = 0
let lastSummary = 0
let lastWorkAt = 0
let lastTasksRun = 0

function renderState(state: DonationState, stats?: DonationStats): void {
  const shown = shownState({ state, stats, lastWorkAt, now: Date.now() })
  el.state.dataset['state'] = shown.state
  setText(el.state, shown.text)
  const over = state === 'left' || state === 'failed'
  const paused = stats?.paused ?? false
  el.pause.disabled = over || paused
  el.resume.disabled = over || !paused
  el.stop.disabled = over
  el.workers.disabled = over
  el.idleOnly.disabled = over
}

function renderStats(stats: DonationStats): void {
  const now = Date.now()
  if (stats.tasksHeld > 0 || stats.tasksRun > lastTasksRun) lastWorkAt = now
  lastTasksRun = stats.tasksRun
  renderState(stats.state, stats)
  setText(el.tasksRun, formatCount(stats.tasksRun))
  setText(el.tasksRunning, formatCount(stats.tasksRunning))
  setText(el.throughput, formatRate(stats.throughput.swarm))
  setText(el.throughputHere, formatRate(stats.throughput.here))
  setText(el.cacheEntries, formatCount(stats.cacheEntries))
  setText(el.cacheHitRate, stats.cacheHitRate === undefined ? '–' : formatPercent(stats.cacheHitRate))
  const tabs = stats.peers.filter((p) => p.kind === 'tab').length
  setText(el.peerCount, String(stats.peers.length))
  setText(el.tabCount, plural(tabs, 'tab'))
  setText(el.hostCount, plural(stats.peers.length - tabs, 'host'))
  renderPeers(el.peers, stats.peers)
  // A tab that left no longer hears about jobs: it keeps the last it saw, and says they are no longer followed.
  el.jobsLeft.hidden = stats.state !== 'left'
  if (stats.state !== 'left') jobs.render(stats.jobs)
  if (now - lastChartSample >= 1_000 || stats.state === 'left') {
    lastChartSample = now
    chart.push(stats.throughput.swarm)
    const { line, area, peak } = sparklinePaths(chart.values, 300, 80)
    el.chartLine.setAttribute('d', line)
    el.chartArea.setAttribute('d', area)
    setText(el.chartNow, formatRate(stats.throughput.swarm))
    setText(el.chartPeak, formatRate(peak))
  }
  // The live summary speaks now and then, not on every update.
  if (now - lastSummary >= 15_000) {
    lastSummary = now
    setText(el.summary, `This tab has run ${formatCount(stats.tasksRun)} tasks; the swarm settles ${formatRate(stats.throughput.swarm)} tasks per second.`)
  }
}

donation.on('stats', renderStats)
donation.on('state', (state) => renderState(state, donation.stats()))
renderState(donation.state)

el.workers.addEventListener('input', () => setText(el.workersValue, el.workers.value))
el.workers.addEventListener('change', () => donation.setWorkers(Number(el.workers.value)))
el.idleOnly.addEventListener('change', () => donation.setIdleOnly(el.idleOnly.checked))
el.pause.addEventListener('click', () => {
  donation.pause()
  renderState(donation.state, donation.stats())
  el.resume.focus()
})
el.resume.addEventListener('click', () => {
  donation.resume()
  renderState(donation.state, donation.stats())
  el.pause.focus()
})
el.stop.addEventListener('click', () => {
  void donation.leave().then(() => renderStats(donation.stats()))
})
