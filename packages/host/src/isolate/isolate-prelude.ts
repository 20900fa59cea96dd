/**
 * The few non-ECMAScript globals a pure function may use (`ALLOWED_GLOBALS` in
 * core), which a bare V8 isolate lacks: a `console` whose output each run keeps (`__tesseraTaskLogs`), UTF-8
 * `TextEncoder`/`TextDecoder` and a `structuredClone` for Tessera's value types.
 * Plain JavaScript text, evaluated in each context before it is hardened.
 */
export const ISOLATE_PRELUDE_SOURCE = String.raw`(function (global) {
  'use strict'
  const quiet = () => {}
  // One run's console output, within core's TASK_LOG_LIMITS (50 lines, 500 characters each, 8192 in all);
  // the invoker starts and takes it around each run, and the host bounds it again.
  let lines = null
  let chars = 0
  let truncated = false
  const show = (part) => {
    if (typeof part === 'string') return part
    if (part instanceof Error) return part.name + ': ' + part.message
    try { const json = JSON.stringify(part); if (json !== undefined) return json } catch (e) {}
    try { return String(part) } catch (e) { return typeof part }
  }
  const write = (stream) => (...parts) => {
    if (lines === null) return
    if (lines.length >= 50) { truncated = true; return }
    let text = parts.map(show).join(' ')
    const room = Math.min(500, 8192 - chars)
    if (text.length > room) { text = text.slice(0, Math.max(0, room)); truncated = true }
    if (text.length === 0 && room <= 0) return
    chars += text.length
    lines.push({ stream, text })
  }
  const console = {}
  for (const name of ['trace', 'time', 'timeEnd', 'group', 'groupEnd', 'count']) console[name] = quiet
  for (const name of ['log', 'info', 'debug', 'dir', 'table']) console[name] = write('log')
  console.warn = write('warn')
  console.error = write('error')
  console.assert = (condition, ...parts) => { if (!condition) write('error')('Assertion failed', ...parts) }
  const taskLogs = Object.freeze({
    start() { lines = []; chars = 0; truncated = false },
    take() {
      const taken = lines === null || (lines.length === 0 && !truncated) ? undefined : { lines, truncated }
      lines = null
      return taken
    },
  })
  Object.defineProperty(global, '__tesseraTaskLogs', { value: taskLogs, enumerable: false })
  class TextEncoder {
    get encoding() { return 'utf-8' }
    encode(input = '') {
      const text = String(input)
      const out = []
      for (let i = 0; i < text.length; i++) {
        let c = text.codePointAt(i)
        if (c > 0xffff) i++
        else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd
        if (c < 0x80) out.push(c)
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63))
        else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
        else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
      }
      return new Uint8Array(out)
    }
  }
  class TextDecoder {
    get encoding() { return 'utf-8' }
    decode(input) {
      if (input === undefined) return ''
      const bytes = ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input)
      let out = ''
      for (let i = 0; i < bytes.length; ) {
        const b = bytes[i]
        const need = b < 0x80 ? 0 : b >= 0xf0 && b < 0xf8 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 ? 1 : -1
        if (need < 0 || (b >= 0x80 && b < 0xc2)) { out += '\ufffd'; i++; continue }
        let c = need === 0 ? b : b & (0x3f >> need)
        let ok = i + need < bytes.length + (need === 0 ? 1 : 0)
        for (let k = 1; ok && k <= need; k++) {
          const next = bytes[i + k]
          if (next === undefined || (next & 0xc0) !== 0x80) ok = false
          else c = (c << 6) | (next & 63)
        }
        if (!ok) { out += '\ufffd'; i++; continue }
        out += String.fromCodePoint(c)
        i += need + 1
      }
      return out
    }
  }
  const cloneOf = (value, seen) => {
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'function' || typeof value === 'symbol') throw new TypeError(String(typeof value) + ' could not be cloned')
      return value
    }
    if (seen.has(value)) return seen.get(value)
    let copy
    if (value instanceof ArrayBuffer) copy = value.slice(0)
    else if (ArrayBuffer.isView(value)) copy = value instanceof DataView ? new DataView(value.buffer.slice(0), value.byteOffset, value.byteLength) : value.slice()
    else if (value instanceof Date) copy = new Date(value.getTime())
    else if (value instanceof Map) { copy = new Map(); seen.set(value, copy); for (const [k, v] of value) copy.set(cloneOf(k, seen), cloneOf(v, seen)); return copy }
    else if (value instanceof Set) { copy = new Set(); seen.set(value, copy); for (const v of value) copy.add(cloneOf(v, seen)); return copy }
    else if (Array.isArray(value)) { copy = []; seen.set(value, copy); for (let i = 0; i < value.length; i++) copy[i] = cloneOf(value[i], seen); return copy }
    else { copy = {}; seen.set(value, copy); for (const key of Object.keys(value)) copy[key] = cloneOf(value[key], seen); return copy }
    seen.set(value, copy)
    return copy
  }
  const structuredClone = (value) => cloneOf(value, new Map())
  for (const [name, value] of Object.entries({ console, TextEncoder, TextDecoder, structuredClone })) {
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false })
  }
})(globalThis)`

/**
 * Wraps one compiled function so that it never throws across the boundary and
 * never hands back anything but data: its value (checked inside, where class
 * instances and symbol keys are still visible, before the copy out erases them)
 * or a plain record of what it threw. `SOURCE` and `HELPERS` are filled in.
 * Each outcome also carries the run's WebAssembly memory account (`wasm`, a
 * `WasmBudgetReport`), so the context must have run `wasmBudgetSource` first.
 */
export function invokerSource(source: string, helpers: string): string {
  return String.raw`(function () {
  'use strict'
  // Taken before the task's source is evaluated, so task code never holds the budget's controller.
  const wasmBudget = globalThis.__tesseraWasmBudget()
  const fn = (function () { 'use strict'; ${helpers}
return (${source}
) })()
  if (typeof fn !== 'function') throw new TypeError('the source did not compile to a function')
  const TYPED = new Set(['Uint8Array', 'Uint8ClampedArray', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'ArrayBuffer', 'Date'])
  const tagOf = (o) => Object.prototype.toString.call(o).slice(8, -1)
  const encodingError = (path, reason) => ({ name: 'EncodingError', message: 'cannot encode ' + path + ': ' + reason })
  const check = (value, path, ancestors) => {
    const type = typeof value
    if (type === 'function') return encodingError(path, 'functions cannot be encoded; pass data, or define a pure function and pass its result')
    if (type === 'symbol') return encodingError(path, 'symbols cannot be encoded')
    if (type !== 'object' || value === null) return undefined
    if (ancestors.has(value)) return encodingError(path, 'the value refers to itself (a cycle)')
    if (TYPED.has(tagOf(value))) return undefined
    ancestors.add(value)
    try {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) { const e = check(value[i], path + '[' + i + ']', ancestors); if (e) return e }
      } else if (value instanceof Map) {
        let i = 0
        for (const [k, v] of value) { const e = check(k, path + '.<key ' + i + '>', ancestors) || check(v, path + '.get(' + i + ')', ancestors); if (e) return e; i++ }
      } else if (value instanceof Set) {
        let i = 0
        for (const v of value) { const e = check(v, path + '.<element ' + i++ + '>', ancestors); if (e) return e }
      } else {
        const proto = Object.getPrototypeOf(value)
        if (proto !== Object.prototype && proto !== null) {
          const name = (proto && proto.constructor && proto.constructor.name) || tagOf(value)
          return encodingError(path, 'instances of ' + name + ' cannot be encoded; use plain objects, arrays, Maps, Sets, typed arrays or Dates')
        }
        if (Object.getOwnPropertySymbols(value).length > 0) return encodingError(path, 'objects with symbol keys cannot be encoded')
        for (const key of Object.keys(value)) { const e = check(value[key], path + '.' + key, ancestors); if (e) return e }
      }
    } finally {
      ancestors.delete(value)
    }
    return undefined
  }
  const text = (read, fallback) => { try { const v = read(); return typeof v === 'string' ? v : fallback } catch (e) { return fallback } }
  const record = (error) => {
    if (error instanceof Error) {
      const stack = text(() => error.stack, undefined)
      const out = { name: text(() => error.name, 'Error'), message: text(() => error.message, '') }
      if (stack !== undefined) out.stack = stack
      return out
    }
    return { name: 'Error', message: 'non-Error value thrown: ' + text(() => typeof error === 'string' ? JSON.stringify(error) : String(error), typeof error) }
  }
  const taskLogs = globalThis.__tesseraTaskLogs
  const withLogs = (outcome) => {
    const logs = taskLogs.take()
    if (logs !== undefined) outcome.logs = logs
    outcome.wasm = wasmBudget.end()
    return outcome
  }
  return async function invoke(args) {
    taskLogs.start()
    wasmBudget.start()
    try {
      const value = await fn(args)
      const problem = check(value, 'result', new Set())
      return withLogs(problem ? { kind: 'thrown', error: problem } : { kind: 'value', value })
    } catch (error) {
      return withLogs({ kind: 'thrown', error: record(error) })
    }
  }
})()`
}
