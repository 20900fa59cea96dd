import type { IncomingMessage, ServerResponse } from 'node:http'
import { ApiError, ApiInputError, ApiMediaTypeError, ApiTooLargeError } from './api-errors.ts'
import { jsonText } from './json-value.ts'

/** The request's JSON body, refused past `maxBytes` before it is all read. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new ApiMediaTypeError(`send the body as application/json, not ${JSON.stringify(type.slice(0, 60))}`)
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > maxBytes) throw new ApiTooLargeError(`the body is ${declared} bytes, over the ${maxBytes}-byte cap`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > maxBytes) throw new ApiTooLargeError(`the body is over the ${maxBytes}-byte cap`)
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch (error) {
    throw new ApiInputError(`the body is not JSON: ${(error as Error).message}`)
  }
}

/** The token of `Authorization: Bearer <token>`, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
  return match?.[1]
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end()
    return
  }
  const text = jsonText(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** Named API errors as their status; anything else as a 500 that says nothing of the inside. */
export function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof ApiError) sendJson(res, error.status, { error: { name: error.name, message: error.message } })
  else sendJson(res, 500, { error: { name: 'ApiInternalError', message: 'the server failed on this request; see its log' } })
}

/** One server-sent event. */
export function sendEvent(res: ServerResponse, event: string, data: unknown): void {
  if (res.writableEnded || res.destroyed) return
  res.write(`event: ${event}\ndata: ${jsonText(data)}\n\n`)
}
