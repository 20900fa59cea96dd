import { isPlainObject, type KeywordArgs } from '@tessera/core'
import { ApiInputError } from './api-errors.ts'

/** What `POST /api/jobs` accepts, checked. */
export interface Submission {
  readonly room: string
  readonly name: string
  readonly source: string
  readonly args: readonly KeywordArgs[]
  readonly options: SubmissionOptions
}

/** The function's options (as `swarm.pure` takes them), then the calls' (as `stream` does). */
export interface SubmissionOptions {
  readonly timeoutMs?: number
  readonly quorum?: number
  readonly adaptive?: boolean
  /** Fail the calls (`NoWorkersError`, the job `failed`) once nobody in the room has had workers this long; without it they wait. */
  readonly noWorkersMs?: number
  /** Forget cached failures of these calls and run them again. */
  readonly retryFailed?: boolean
}

export const SUBMISSION_LIMITS = {
  maxRoomChars: 128,
  maxSourceChars: 64 * 1024,
  maxArgs: 10_000,
} as const

/** Like a Pythagoras name: letters, digits and `_ . : / @ + -`, starting with a letter or digit. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,99}$/
const FIELDS = new Set(['room', 'name', 'source', 'args', 'options'])
const OPTIONS: Readonly<Record<string, (value: unknown) => boolean>> = {
  timeoutMs: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 3_600_000,
  quorum: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 16,
  adaptive: (v) => typeof v === 'boolean',
  noWorkersMs: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 3_600_000,
  retryFailed: (v) => typeof v === 'boolean',
}
const OPTION_RULES = 'timeoutMs (1 to 3600000), quorum (1 to 16), adaptive (boolean), noWorkersMs (1 to 3600000), retryFailed (boolean)'

/** Throws `ApiInputError` naming the first thing wrong; never trusts a field's type. */
export function parseSubmission(body: unknown): Submission {
  if (!isPlainObject(body)) throw new ApiInputError('the body must be a JSON object: { room, name, source, args, options? }')
  const unknown = Object.keys(body).find((key) => !FIELDS.has(key))
  if (unknown !== undefined) throw new ApiInputError(`unknown field ${JSON.stringify(unknown.slice(0, 40))} (fields: room, name, source, args, options)`)
  const room = parseRoom(body['room'])
  const { name, source, args } = body
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ApiInputError('name must be 1 to 100 letters, digits and _ . : / @ + -, starting with a letter or digit')
  }
  if (typeof source !== 'string' || source.trim() === '') throw new ApiInputError('source must be the text of one JavaScript function, e.g. "({ x }) => x * x"')
  if (source.length > SUBMISSION_LIMITS.maxSourceChars) throw new ApiInputError(`source is ${source.length} characters, over the ${SUBMISSION_LIMITS.maxSourceChars} cap`)
  if (!Array.isArray(args) || args.length === 0) throw new ApiInputError('args must be a non-empty list of keyword-argument objects, one per call')
  if (args.length > SUBMISSION_LIMITS.maxArgs) throw new ApiInputError(`args has ${args.length} calls, over the ${SUBMISSION_LIMITS.maxArgs} cap`)
  const bad = args.findIndex((entry) => !isPlainObject(entry))
  if (bad !== -1) throw new ApiInputError(`args[${bad}] must be an object of keyword arguments, e.g. { "x": 1 }`)
  return { room, name, source, args: args as KeywordArgs[], options: parseOptions(body['options']) }
}

export function parseRoom(room: unknown): string {
  if (typeof room !== 'string' || room.length === 0 || room.length > SUBMISSION_LIMITS.maxRoomChars || /[\u0000-\u001f\u007f]/.test(room)) {
    throw new ApiInputError(`room must be a name of 1 to ${SUBMISSION_LIMITS.maxRoomChars} printable characters`)
  }
  return room
}

function parseOptions(options: unknown): Submission['options'] {
  if (options === undefined) return {}
  if (!isPlainObject(options)) throw new ApiInputError(`options must be an object: ${OPTION_RULES}`)
  for (const [key, value] of Object.entries(options)) {
    const valid = Object.hasOwn(OPTIONS, key) ? OPTIONS[key] : undefined
    if (valid === undefined) throw new ApiInputError(`unknown option ${JSON.stringify(key.slice(0, 40))} (options: ${OPTION_RULES})`)
    if (!valid(value)) throw new ApiInputError(`option ${key} is out of range (options: ${OPTION_RULES})`)
  }
  return options as Submission['options']
}
