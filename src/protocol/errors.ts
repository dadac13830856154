/**
 * Every error code the server can put on the wire (HTTP `{error:{code}}` and protocol `error` frames).
 * One list so the client can switch on them exhaustively.
 */
export const ERROR_CODES = [
  "bad_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "rate_limited",
  "too_many_attempts",
  "payload_too_large",
  "unavailable",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * WebSocket close codes. 1000-1999 and 4000-4499: the client may reconnect (with backoff);
 * 4500-4999: it must not reconnect without new credentials.
 */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  messageTooBig: 1009,
  serverRestart: 1012,
  /** The server could not set the connection up (its store did not answer in time): reconnect with backoff. */
  tryAgainLater: 1013,
  /** An unexpected server fault while setting the connection up. */
  internalError: 1011,
  idleTimeout: 4000,
  slowConsumer: 4001,
  /** The user has WS_SOCKETS_PER_USER sockets open already; retry later. */
  tooManySockets: 4429,
  sessionRevoked: 4501,
} as const;

export function shouldReconnect(closeCode: number): boolean {
  return closeCode < 4500;
}
