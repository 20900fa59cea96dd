import type { JobSummary } from '@tessera/client'
import { setText } from './dom.ts'
import { formatCount } from './format.ts'

const FINISHED_SHOWN = 5

const stateWords: Record<JobSummary['state'], string> = { open: 'running', done: 'done', cancelled: 'stopped' }

/** One `<li>` per job, kept by id: its name, counts and a `<progress>` bar. */
export class JobsView {
  readonly #items = new Map<string, { li: HTMLLIElement; counts: HTMLSpanElement; bar: HTMLProgressElement }>()

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
  ) {}

  render(jobs: readonly JobSummary[]): void {
    const open = jobs.filter((job) => job.state === 'open')
    const shown = [...open, ...jobs.filter((job) => job.state !== 'open').slice(0, FINISHED_SHOWN)]
    this.empty.hidden = shown.length > 0
    const keep = new Set(shown.map((job) => job.id))
    for (const [id, item] of this.#items) {
      if (keep.has(id)) continue
      item.li.remove()
      this.#items.delete(id)
    }
    shown.forEach((job, index) => {
      const item = this.#items.get(job.id) ?? this.#create(job)
      const settled = job.done + job.failed
      item.bar.max = Math.max(1, job.total)
      item.bar.value = settled
      item.bar.setAttribute('aria-valuetext', `${formatCount(settled)} of ${formatCount(job.total)} tasks settled, ${formatCount(job.failed)} failed`)
      // Failures are said in words and in the bar's colour: a job with failed tasks never reads as all done.
      const failed = job.failed > 0 ? ` · ${formatCount(job.failed)} failed` : ''
      const state = job.state === 'done' && job.failed > 0 ? 'done with failures' : stateWords[job.state]
      setText(item.counts, `${formatCount(job.done)} / ${formatCount(job.total)} done${failed} · ${state}`)
      item.li.classList.toggle('has-failed', job.failed > 0)
      if (this.list.children[index] !== item.li) this.list.insertBefore(item.li, this.list.children[index] ?? null)
    })
  }

  #create(job: JobSummary): { li: HTMLLIElement; counts: HTMLSpanElement; bar: HTMLProgressElement } {
    const li = document.createElement('li')
    li.dataset['job'] = job.id
    const title = document.createElement('div')
    title.className = 'job-title'
    const name = document.createElement('strong')
    const labelId = `job-${job.id}`
    name.id = labelId
    name.textContent = job.name
    const counts = document.createElement('span')
    title.append(name, counts)
    const bar = document.createElement('progress')
    bar.setAttribute('aria-labelledby', labelId)
    li.append(title, bar)
    const item = { li, counts, bar }
    this.#items.set(job.id, item)
    return item
  }
}
