const encoder = new TextEncoder()

/**
 * UTF-8 bytes of `text`, exactly as `TextEncoder` gives them. Signed
 * statements are JSON of ids, base64url and numbers, nearly always ASCII,
 * where UTF-8 is one byte per character; a plain loop over a short string
 * beats the call into the browser's encoder (in the dispatch bench, encoding
 * statements was a tab's largest single cost of checking proofs). Anything
 * else goes to `TextEncoder`.
 */
export function utf8Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code > 0x7f) return encoder.encode(text)
    out[i] = code
  }
  return out
}
