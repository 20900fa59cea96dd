/**
 * Turns untrusted text into a `ClientFrame` or a `SignalingProtocolError`
 * (`bad-frame`). Environment-neutral like protocol.ts.
 *
 * The result is rebuilt from known fields only, so nothing a client adds to a
 * frame (or to `meta`) reaches other peers; `data` is the one opaque part and is
 * relayed as sent.
 */
import type { ClientFrame, PeerMeta } from './protocol.ts'
import { MAX_DATA_DEPTH, MAX_NAME_LENGTH, MAX_PROOF_LENGTH, MAX_TOKEN_LENGTH, MAX_TOPICS_PER_FRAME } from './protocol.ts'
import { SignalingProtocolError } from './errors.ts'

export interface ParseOptions {
  /** Most topics one frame may name; defaults to `MAX_TOPICS_PER_FRAME`. */
  readonly maxTopics?: number
}

/** Parses one text frame; throws `SignalingProtocolError` with code `bad-frame`. */
export function parseClientFrame(text: string, options: ParseOptions = {}): ClientFrame {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw bad('frame is not valid JSON')
  }
  return validateClientFrame(value, options)
}

/** Checks an already-decoded value; same contract as `parseClientFrame`. */
export function validateClientFrame(value: unknown, options: ParseOptions = {}): ClientFrame {
  if (!isRecord(value)) throw bad('frame must be a JSON object')
  const type = value['type']
  switch (type) {
    case 'subscribe': {
      const topics = topicList(value['topics'], options.maxTopics ?? MAX_TOPICS_PER_FRAME)
      const peer = optionalName(value, 'peer')
      // Checked as a string only: whether it proves anything is the hub's call (`unproven-peer`).
      const proof = optionalString(value, 'proof', MAX_PROOF_LENGTH)
      const token = optionalString(value, 'token', MAX_TOKEN_LENGTH)
      const meta = value['meta'] === undefined ? undefined : peerMeta(value['meta'])
      return {
        type,
        topics,
        ...(peer === undefined ? {} : { peer }),
        ...(proof === undefined ? {} : { proof }),
        ...(token === undefined ? {} : { token }),
        ...(meta === undefined ? {} : { meta }),
      }
    }
    case 'unsubscribe':
    case 'renew':
      return { type, topics: topicList(value['topics'], options.maxTopics ?? MAX_TOPICS_PER_FRAME) }
    case 'publish': {
      const topic = name(value['topic'], 'topic')
      if (!('data' in value)) throw bad('publish needs a "data" field')
      const data = value['data']
      if (exceedsDepth(data, MAX_DATA_DEPTH)) throw bad(`publish data is nested deeper than ${MAX_DATA_DEPTH} levels`)
      const to = optionalName(value, 'to')
      return { type, topic, data, ...(to === undefined ? {} : { to }) }
    }
    case 'ping':
    case 'ice-servers':
      return { type }
    default:
      throw bad(typeof type === 'string' ? `unknown frame type ${quote(type)}` : 'frame needs a string "type"')
  }
}

/** True when `value` is a non-empty string no longer than `MAX_NAME_LENGTH`. */
export function isValidName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH
}

function topicList(value: unknown, maxTopics: number): string[] {
  if (!Array.isArray(value)) throw bad('"topics" must be an array of strings')
  if (value.length > maxTopics) throw bad(`"topics" names ${value.length} topics; at most ${maxTopics} per frame`)
  // Duplicates would make the server answer twice for one room.
  const topics = new Set<string>()
  for (const topic of value) topics.add(name(topic, 'topic'))
  return [...topics]
}

function peerMeta(value: unknown): PeerMeta {
  if (!isRecord(value)) throw bad('"meta" must be an object')
  const kind = value['kind']
  if (kind !== undefined && kind !== 'browser' && kind !== 'node') throw bad('"meta.kind" must be "browser" or "node"')
  const version = optionalString(value, 'version', MAX_NAME_LENGTH, 'meta.version')
  return { ...(kind === undefined ? {} : { kind }), ...(version === undefined ? {} : { version }) }
}

function name(value: unknown, field: string): string {
  if (typeof value !== 'string') throw bad(`"${field}" must be a string`)
  if (value.length === 0) throw bad(`"${field}" must not be empty`)
  if (value.length > MAX_NAME_LENGTH) throw bad(`"${field}" is longer than ${MAX_NAME_LENGTH} characters`)
  return value
}

function optionalName(record: Record<string, unknown>, field: string): string | undefined {
  const value = record[field]
  return value === undefined ? undefined : name(value, field)
}

function optionalString(record: Record<string, unknown>, field: string, maxLength: number, label = field): string | undefined {
  const value = record[field]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw bad(`"${label}" must be a string`)
  if (value.length > maxLength) throw bad(`"${label}" is longer than ${maxLength} characters`)
  return value
}

/** Iterative, so a hostile nesting depth cannot overflow the stack here either. */
function exceedsDepth(root: unknown, maxDepth: number): boolean {
  const stack: Array<readonly [unknown, number]> = [[root, 0]]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, depth] = item
    if (typeof value !== 'object' || value === null) continue
    if (depth >= maxDepth) return true
    for (const child of Object.values(value)) stack.push([child, depth + 1])
  }
  return false
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Echoes at most a short, quoted prefix of client text back in reasons. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)
}

function bad(reason: string): SignalingProtocolError {
  return new SignalingProtocolError('bad-frame', reason)
}
