import { TesseraError } from '@tessera/core'

/** A request the HTTP job API refuses: its name and message go back as JSON, with `status`. */
export class ApiError extends TesseraError {
  override name = 'ApiError'
  readonly status: number = 400
}

/** No room token, or one that is malformed, forged or expired. */
export class ApiUnauthorizedError extends ApiError {
  override name = 'ApiUnauthorizedError'
  override readonly status = 401
}

/** A valid token, for another room than the one asked about. */
export class ApiForbiddenError extends ApiError {
  override name = 'ApiForbiddenError'
  override readonly status = 403
}

/** A body, field, reference or parameter the API cannot accept. */
export class ApiInputError extends ApiError {
  override name = 'ApiInputError'
  override readonly status = 400
}

/** No such route, job, or (within the wait) result. */
export class ApiNotFoundError extends ApiError {
  override name = 'ApiNotFoundError'
  override readonly status = 404
}

export class ApiMethodError extends ApiError {
  override name = 'ApiMethodError'
  override readonly status = 405
}

export class ApiMediaTypeError extends ApiError {
  override name = 'ApiMediaTypeError'
  override readonly status = 415
}

export class ApiTooLargeError extends ApiError {
  override name = 'ApiTooLargeError'
  override readonly status = 413
}

/** A cap on rooms, running jobs or event streams is reached: try again later. */
export class ApiBusyError extends ApiError {
  override name = 'ApiBusyError'
  override readonly status = 429
}

/** The server could not join the room the request names. */
export class ApiRoomError extends ApiError {
  override name = 'ApiRoomError'
  override readonly status = 502
}

/** The API needs the server's token secret (`tessera serve --secret`) to check tokens. */
export class ApiDisabledError extends ApiError {
  override name = 'ApiDisabledError'
  override readonly status = 503
}
