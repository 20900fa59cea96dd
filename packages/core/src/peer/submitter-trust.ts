import type { PeerId } from '../ids.ts'
import type { Subjects } from './subjects.ts'

/** BOINC's threshold: a subject's results are taken alone only after this many in a row agreed with others'. */
export const DEFAULT_TRUST_THRESHOLD = 10

/** Results that disagreed with accepted outcomes after which a subject's keys are dropped and banned. */
export const LIES_BEFORE_BAN = 3

/** Subjects remembered; the least recently judged are forgotten first (they start again at zero). */
const MAX_SUBJECTS = 10_000

export interface SubmitterTrustOptions {
  /** Subjects (or peer ids) whose results this submitter takes alone, like its own. */
  readonly trust?: readonly string[]
  /** Valid results in a row before a subject's result is taken alone (`DEFAULT_TRUST_THRESHOLD`). */
  readonly threshold?: number
}

/**
 * Whose results a submitter takes, and how far: BOINC's adaptive replication,
 * per subject (many keys of one subject share one record).
 *
 * - Outright: its own key; its own subject when it names the submitter (a
 *   token's subject) or this machine (`local:`), but not when it is only a
 *   shared network (`net:`, everyone behind one address); and what it names
 *   in `trust`.
 * - Earned: a subject whose last `threshold` results agreed with another
 *   subject's, taken alone with probability 1 − 1/n after n in a row; one
 *   result that disagrees with an accepted one sets it back to zero.
 *
 * The record lives in this process only: a new connection starts everyone
 * again at zero, so a liar cannot bank trust across a submitter's restarts.
 */
export class SubmitterTrust {
  readonly #valid = new Map<string, number>()
  readonly #lies = new Map<string, number>()
  readonly #named: ReadonlySet<string>
  readonly threshold: number

  constructor(
    private readonly self: PeerId,
    private readonly subjects: Pick<Subjects, 'subjectOf'>,
    options: SubmitterTrustOptions = {},
  ) {
    this.#named = new Set(options.trust ?? [])
    this.threshold = Math.max(1, Math.floor(options.threshold ?? DEFAULT_TRUST_THRESHOLD))
  }

  /** Whether this submitter takes `peer`'s results alone, with no check. */
  trusts(peer: PeerId): boolean {
    if (peer === this.self || this.#named.has(peer)) return true
    const subject = this.subjects.subjectOf(peer)
    if (subject === undefined) return false
    if (this.#named.has(subject)) return true
    const own = this.subjects.subjectOf(this.self)
    return own !== undefined && subject === own && !own.startsWith('net:')
  }

  /** Results of `subject` in a row that agreed with an accepted outcome. */
  validInARow(subject: string): number {
    return this.#valid.get(subject) ?? 0
  }

  /** Whether a result of `subject` is taken alone this time: trust earned, and the draw (1/n) asks for no spot check. */
  acceptsAlone(subject: string, random: () => number): boolean {
    const n = this.validInARow(subject)
    return n >= this.threshold && random() >= 1 / n
  }

  /** A result of `subject` agreed with the outcome another subject's word accepted. */
  agreed(subject: string): void {
    const n = this.validInARow(subject) + 1
    this.#valid.delete(subject)
    this.#valid.set(subject, n)
    if (this.#valid.size > MAX_SUBJECTS) this.#valid.delete(this.#valid.keys().next().value as string)
  }

  /** A result of `subject` disagreed with the accepted outcome: its trust starts again. */
  disagreed(subject: string): void {
    this.#valid.delete(subject)
    this.#valid.set(subject, 0)
    if (this.#valid.size > MAX_SUBJECTS) this.#valid.delete(this.#valid.keys().next().value as string)
    const lies = this.liesOf(subject) + 1
    this.#lies.delete(subject)
    this.#lies.set(subject, lies)
    if (this.#lies.size > MAX_SUBJECTS) this.#lies.delete(this.#lies.keys().next().value as string)
  }

  /** Results of `subject` that disagreed with accepted outcomes, in this process. */
  liesOf(subject: string): number {
    return this.#lies.get(subject) ?? 0
  }

  /**
   * Whether `subject` is proven hostile: `LIES_BEFORE_BAN` results that
   * disagreed with accepted ones. Not one: a pure function that rounds
   * differently on another engine disagrees honestly (`compare` is for that).
   */
  isLiar(subject: string): boolean {
    return this.liesOf(subject) >= LIES_BEFORE_BAN
  }
}
