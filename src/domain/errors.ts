import type { ErrorCode } from "../protocol/index.ts";

/** A failure the caller can act on; its code goes on the wire as is. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For rate limits: seconds after which a retry can succeed (HTTP `Retry-After`). */
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const fail = (code: ErrorCode, message: string, retryAfterSec?: number): never => {
  throw new DomainError(code, message, retryAfterSec);
};
