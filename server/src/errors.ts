/**
 * An error a client caused or can act on. The tRPC layer turns it into the
 * API's error code; anything else that escapes is an internal error (a bug).
 */
export type AppErrorCode = 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS' | 'FORBIDDEN' | 'UNAUTHORIZED';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: { field?: string | undefined; rule?: string | undefined } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, field: string) => new AppError('NOT_FOUND', `${field}: ${what} not found`, { field });

export const badRequest = (field: string | undefined, message: string, rule?: string) =>
  new AppError('BAD_REQUEST', field ? `${field}: ${message}` : message, { field, rule });
