import type { Server } from "bun";
import { errorFields, type Logger } from "../observability/logger.ts";
import type { ErrorCode } from "../protocol/index.ts";
import { errorBody } from "./errors.ts";
import { validHost } from "./request-info.ts";

type Handler<S> = (req: Request, server: Server<S>) => Response | undefined | Promise<Response | undefined>;

export const jsonError = (status: number, code: ErrorCode, message: string, headers?: HeadersInit) =>
  Response.json(errorBody(code, message), { status, headers });

/**
 * The first thing every request meets: a Host that is not `name[:port]` (Bun cannot even build a
 * URL from it) gets a 400 here, before any route parses `req.url`. Then `/ws` goes to the upgrader
 * and everything else to the HTTP app.
 */
export function createEdge<S>(upgrade: Handler<S>, app: Handler<S>): Handler<S> {
  return (req, server) => {
    if (!validHost(req.headers.get("host")) || !URL.canParse(req.url)) {
      return jsonError(400, "bad_request", "malformed Host header");
    }
    return new URL(req.url).pathname === "/ws" ? upgrade(req, server) : app(req, server);
  };
}

/**
 * Bun.serve's last resort for a throw that escaped every handler: a JSON 500 without details
 * (Bun's own page shows source lines and paths), and one JSON log line.
 */
export const edgeErrorHandler = (log: Logger) => (err: Error) => {
  log.error("request failed", errorFields(err));
  return jsonError(500, "internal", "internal error");
};
