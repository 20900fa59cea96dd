// Core compiles against the ECMAScript library alone, so that nothing from Node or
// the DOM slips in. These are the few host functions that every JavaScript runtime
// Tessera targets (Node, windows, workers) provides, declared here on purpose.
declare function setTimeout(callback: () => void, ms?: number): unknown
declare function clearTimeout(handle: unknown): void
declare function queueMicrotask(callback: () => void): void
declare const console: {
  log(...data: unknown[]): void
  warn(...data: unknown[]): void
  error(...data: unknown[]): void
}
declare const performance: { now(): number }
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean })
  decode(input?: Uint8Array): string
}
declare class TextEncoder {
  encode(input?: string): Uint8Array
}
