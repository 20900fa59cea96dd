/**
 * The globals a pure function may read: the ECMAScript built-ins, plus the few
 * data helpers every worker and Node thread has. Anything else (outer variables,
 * `window`, `fetch`, `process`, `globalThis`) would make the result depend on where
 * the function runs. `WebAssembly` is allowed because compiling and running a
 * module is computation only (a module reaches nothing it is not given), and
 * every donor realm has it: BigMatrix's block tasks run their SIMD GEMM in it.
 */
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  'undefined', 'NaN', 'Infinity',
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt',
  'Date', 'RegExp', 'Promise', 'Proxy', 'Reflect', 'JSON', 'Math', 'Intl',
  'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef',
  'ArrayBuffer', 'DataView',
  'Uint8Array', 'Uint8ClampedArray', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
  'parseInt', 'parseFloat', 'isNaN', 'isFinite',
  'encodeURI', 'encodeURIComponent', 'decodeURI', 'decodeURIComponent',
  'TextEncoder', 'TextDecoder', 'structuredClone', 'console', 'WebAssembly',
  '__name',
])

/**
 * Helpers that bundlers insert into function bodies: esbuild (and so tsx and
 * Vite) wraps named classes and functions in `__name(...)` when keeping names.
 * `compilePure` defines each of them, so functions that use them still compile
 * with nothing from the submitter's scope.
 */
export const BUNDLER_HELPERS: Readonly<Record<string, string>> = {
  __name: '(target, value) => Object.defineProperty(target, "name", { value, configurable: true })',
}
