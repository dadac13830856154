import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError } from "../domain/errors.ts";
import { errorFields, type Logger } from "../observability/logger.ts";
import type { ErrorCode } from "../protocol/index.ts";

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  too_many_attempts: 429,
  unavailable: 503,
  internal: 500,
};

export const errorBody = (code: ErrorCode, message: string) => ({ error: { code, message } });

export function errorResponse(c: Context, code: ErrorCode, message: string) {
  return c.json(errorBody(code, message), STATUS[code]);
}

/** The one place errors become HTTP responses. Unknown errors are logged and never leak details. */
export function onError(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof DomainError) {
      if (err.retryAfterSec !== undefined) c.header("Retry-After", String(Math.max(1, Math.ceil(err.retryAfterSec))));
      return errorResponse(c, err.code, err.message);
    }
    if (err instanceof HTTPException) {
      const code: ErrorCode = err.status === 413 ? "payload_too_large" : err.status === 401 ? "unauthorized" : "bad_request";
      return errorResponse(c, code, err.message || "bad request");
    }
    log.error("request failed", { path: c.req.path, method: c.req.method, ...errorFields(err) });
    return errorResponse(c, "internal", "internal error");
  };
}
