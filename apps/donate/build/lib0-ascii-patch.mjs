// lib0 with a plain-JavaScript path for short ASCII strings: the patch itself,
// in plain JavaScript so that both the browser builds (`lib0-ascii-strings.ts`,
// a Vite plugin) and the `tessera` bin's bundle (before any TypeScript loads)
// apply it. Why, and what was measured: `lib0-ascii-strings.ts`.

/** Longest string taken on the ASCII path; longer ones are worth the native call. */
const MAX_ASCII = 128

const DECODING_EXPORT = 'export const readVarString = string.utf8TextDecoder ? _readVarStringNative : _readVarStringPolyfill'
const ENCODING_EXPORT =
  'export const writeVarString = (string.utf8TextEncoder && /** @type {any} */ (string.utf8TextEncoder).encodeInto) ? _writeVarStringNative : _writeVarStringPolyfill'

// Reads the length, then the bytes while they are ASCII; on anything else (a
// byte over 127, a string past the end, a long one) it rewinds and lets lib0 read it.
const READ_ASCII_FIRST = `
const _tesseraCodes = [];
const _readVarStringAsciiFirst = decoder => {
  const start = decoder.pos;
  const len = readVarUint(decoder);
  const from = decoder.pos;
  const end = from + len;
  const arr = decoder.arr;
  if (len > ${MAX_ASCII} || end > arr.length) { decoder.pos = start; return _readVarStringNative(decoder); }
  let text;
  if (len <= 12) {
    text = '';
    for (let i = from; i < end; i++) {
      const c = arr[i];
      if (c > 127) { decoder.pos = start; return _readVarStringNative(decoder); }
      text += String.fromCharCode(c);
    }
  } else {
    _tesseraCodes.length = len;
    for (let i = from; i < end; i++) {
      const c = arr[i];
      if (c > 127) { decoder.pos = start; return _readVarStringNative(decoder); }
      _tesseraCodes[i - from] = c;
    }
    text = String.fromCharCode.apply(null, _tesseraCodes);
  }
  decoder.pos = end;
  return text;
};
export const readVarString = string.utf8TextDecoder ? _readVarStringAsciiFirst : _readVarStringPolyfill;`

// ASCII characters are their own UTF-8 bytes; anything else goes to lib0's writer.
const WRITE_ASCII_FIRST = `
const _writeVarStringAsciiFirst = (encoder, str) => {
  const len = str.length;
  if (len <= ${MAX_ASCII}) {
    let ascii = true;
    for (let i = 0; i < len; i++) if (str.charCodeAt(i) > 127) { ascii = false; break; }
    if (ascii) {
      writeVarUint(encoder, len);
      for (let i = 0; i < len; i++) write(encoder, str.charCodeAt(i));
      return;
    }
  }
  _writeVarStringNative(encoder, str);
};
export const writeVarString = (string.utf8TextEncoder && /** @type {any} */ (string.utf8TextEncoder).encodeInto) ? _writeVarStringAsciiFirst : _writeVarStringPolyfill;`

export class Lib0PatchError extends Error {
  name = 'Lib0PatchError'
}

/**
 * `code` with the ASCII paths put in, when `id` is lib0's `decoding.js` or
 * `encoding.js`; undefined for any other module. A lib0 whose source no longer
 * has the line replaced fails the build, rather than building without the paths.
 * @param {string} id
 * @param {string} code
 * @returns {string | undefined}
 */
export function patchLib0(id, code) {
  const file = id.split('?')[0]?.replaceAll('\\', '/') ?? ''
  if (!/\/node_modules\/lib0\/(decoding|encoding)\.js$/.test(file)) return undefined
  const [line, replacement] = file.endsWith('/decoding.js') ? [DECODING_EXPORT, READ_ASCII_FIRST] : [ENCODING_EXPORT, WRITE_ASCII_FIRST]
  if (!code.includes(line)) throw new Lib0PatchError(`${file} no longer reads "${line.slice(0, 40)}...": update apps/donate/build/lib0-ascii-patch.mjs for this lib0`)
  // On the replaced line alone (every statement ends in a semicolon), so lib0's other lines keep
  // their numbers and a profile or stack still points at the right ones without a source map.
  return code.replace(line, replacement.trim().replace(/\n\s*/g, ' '))
}
