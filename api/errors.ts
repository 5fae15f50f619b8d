/**
 * A request the API refuses or cannot answer, with the status and a message that says what is wrong and what is
 * allowed. The CLI turns a 400 into a usage error (exit 2) and anything else into a one-line failure (exit 1).
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    /** The parameter at fault, for 400s. */
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A 400 naming the parameter, what was wrong and what is allowed. */
export function badParameter(field: string, message: string): ApiError {
  return new ApiError(400, `${field}: ${message}`, field);
}
