import type { IncomingMessage, ServerResponse } from 'node:http'
import { verifyRoomToken } from '@tessera/signaling'
import { parseTaskRef } from '@tessera/runtime'
import { ApiBusyError, ApiDisabledError, ApiError, ApiForbiddenError, ApiInputError, ApiMethodError, ApiNotFoundError, ApiUnauthorizedError } from './api-errors.ts'
import { ApiJobs, type ApiJob } from './api-jobs.ts'
import { bearerToken, readJsonBody, sendError, sendEvent, sendJson } from './request-io.ts'
import { RoomSwarms, type RoomSwarmsOptions } from './room-swarms.ts'
import { parseRoom, parseSubmission } from './submission.ts'

export interface HttpApiOptions extends Omit<RoomSwarmsOptions, 'secret'> {
  /** The server's token secret: without it the API answers 503, since it cannot check tokens. */
  readonly secret: string | undefined
  /** Default 1 MiB. */
  readonly maxBodyBytes?: number
  /** Event streams open at once (default 64). */
  readonly maxStreams?: number
  /** Where an unexpected failure is told (the client only hears a 500). */
  readonly log?: (line: string) => void
}

export interface HttpApi {
  /** Answers requests under `/api/`; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean
  close(): Promise<void>
}

const HEARTBEAT_MS = 15_000
const MAX_RESULT_WAIT_MS = 60_000

/**
 * The HTTP job API of `tessera serve`, for clients in any language:
 *   POST /api/jobs                  submit { room, name, source, args, options? }
 *   GET  /api/jobs/:id              the job's state, progress and results
 *   GET  /api/jobs/:id/events       the same as server-sent events, live
 *   DELETE /api/jobs/:id            cancel it
 *   GET  /api/results/:ref?room=R   one result by its reference, from the room's cache
 * Every request carries `Authorization: Bearer <room token>` for its room
 * (`tessera token`). See docs/http-api.md.
 */
export function createHttpApi(options: HttpApiOptions): HttpApi {
  const secret = options.secret
  const rooms = secret === undefined ? undefined : new RoomSwarms({ ...options, secret })
  const jobs = new ApiJobs()
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  const maxStreams = options.maxStreams ?? 64
  let streams = 0

  const authorize = (req: IncomingMessage, room: string): void => {
    if (secret === undefined) throw new ApiDisabledError('the HTTP job API needs the server started with a token secret (tessera serve --secret, or TESSERA_SIGNALING_SECRET)')
    const verdict = verifyRoomToken({ secret, token: bearerToken(req), room })
    if (verdict.ok) return
    if (verdict.reason === 'token is for another room') throw new ApiForbiddenError(`the token is not for room ${JSON.stringify(room)}`)
    throw new ApiUnauthorizedError(`send Authorization: Bearer <room token> (tessera token --room ${JSON.stringify(room)}): ${verdict.reason}`)
  }

  const jobFor = (req: IncomingMessage, id: string): ApiJob => {
    const job = /^[0-9a-f]{32}$/.test(id) ? jobs.get(id) : undefined
    if (job === undefined) throw new ApiNotFoundError(`no job ${JSON.stringify(id.slice(0, 40))} on this server`)
    authorize(req, job.submission.room)
    return job
  }

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const parts = url.pathname.split('/').slice(2).map(decodeSegment)
    const method = req.method ?? 'GET'
    if (parts[0] === 'jobs' && parts.length === 1) {
      if (method !== 'POST') throw new ApiMethodError('POST /api/jobs submits a job')
      const submission = parseSubmission(await readJsonBody(req, maxBodyBytes))
      authorize(req, submission.room)
      const swarm = await (rooms as RoomSwarms).get(submission.room)
      const job = jobs.start(swarm, submission)
      sendJson(res, 202, { id: job.id, refs: job.refs, events: `/api/jobs/${job.id}/events` })
      return
    }
    if (parts[0] === 'jobs' && parts.length === 2 && parts[1] !== undefined) {
      const job = jobFor(req, parts[1])
      if (method === 'GET') sendJson(res, 200, { ...job.summary(), refs: job.refs, results: [...job.results].sort((a, b) => a.index - b.index) })
      else if (method === 'DELETE') sendJson(res, 200, { cancelled: job.cancel() })
      else throw new ApiMethodError('GET or DELETE /api/jobs/:id')
      return
    }
    if (parts[0] === 'jobs' && parts.length === 3 && parts[1] !== undefined && parts[2] === 'events') {
      if (method !== 'GET') throw new ApiMethodError('GET /api/jobs/:id/events')
      const job = jobFor(req, parts[1])
      if (streams >= maxStreams) throw new ApiBusyError(`at most ${maxStreams} event streams at once`)
      streamEvents(res, job)
      return
    }
    if (parts[0] === 'results' && parts.length === 2 && parts[1] !== undefined) {
      if (method !== 'GET') throw new ApiMethodError('GET /api/results/:ref?room=<room>')
      const room = parseRoom(url.searchParams.get('room') ?? undefined)
      authorize(req, room)
      const ref = parts[1]
      try {
        parseTaskRef(ref)
      } catch (error) {
        throw new ApiInputError((error as Error).message)
      }
      const waitMs = Math.min(Math.max(0, Number(url.searchParams.get('wait') ?? 10_000) || 0), MAX_RESULT_WAIT_MS)
      const swarm = await (rooms as RoomSwarms).get(room)
      const signal = AbortSignal.timeout(Math.max(1, waitMs))
      try {
        sendJson(res, 200, { ref, ok: true, value: await swarm.result(ref, { signal }) })
      } catch (error) {
        if (signal.aborted) throw new ApiNotFoundError(`no result for ${ref} in room ${JSON.stringify(room)} within ${waitMs} ms`)
        sendJson(res, 200, { ref, ok: false, error: { name: (error as Error).name, message: (error as Error).message } })
      }
      return
    }
    throw new ApiNotFoundError(`no route ${method} ${url.pathname.slice(0, 80)} (see docs/http-api.md)`)
  }

  const streamEvents = (res: ServerResponse, job: ApiJob): void => {
    streams++
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' })
    sendEvent(res, 'progress', job.progress)
    for (const result of job.results) sendEvent(res, 'result', result)
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS)
    const listener = {
      progress: (progress: unknown) => sendEvent(res, 'progress', progress),
      result: (result: unknown) => sendEvent(res, 'result', result),
      end: (summary: unknown) => {
        sendEvent(res, 'end', summary)
        res.end()
      },
    }
    const stop = (): void => {
      clearInterval(heartbeat)
      job.listeners.delete(listener)
    }
    res.once('close', () => {
      streams--
      stop()
    })
    if (job.state === 'running') job.listeners.add(listener)
    else listener.end(job.summary())
  }

  return {
    handle(req, res) {
      let url: URL
      try {
        url = new URL(req.url ?? '/', 'http://localhost')
      } catch {
        return false
      }
      if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return false
      route(req, res, url).catch((error: unknown) => {
        // A client that went away mid-body leaves nothing to answer.
        if (!(error instanceof ApiError)) options.log?.(`http api: ${req.method ?? 'GET'} ${url.pathname.slice(0, 80)} failed: ${String((error as Error).stack ?? error)}`)
        if (!res.destroyed) sendError(res, error)
      })
      return true
    },
    async close() {
      jobs.cancelAll()
      await rooms?.close()
    },
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new ApiInputError('the path is not valid percent-encoding')
  }
}
