import type { Server } from "bun";
import type { AuthService } from "../domain/auth/auth-service.ts";
import { DomainError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import { jsonError as deny } from "../http/edge.ts";
import { isHttps } from "../http/request-info.ts";
import type { Logger } from "../observability/logger.ts";
import type { SocketData } from "./socket-data.ts";

export interface UpgradeOptions {
  allowedOrigins: readonly string[];
  trustProxy: boolean;
  log: Logger;
}

/**
 * Authenticates before the upgrade: a single-use ticket from `POST /api/auth/ws-ticket`, valid for
 * seconds (browsers cannot put headers on a WebSocket; a long-lived token never goes in a URL).
 */
export function createUpgrader(auth: AuthService, opts: UpgradeOptions) {
  const allowed = new Set(opts.allowedOrigins);
  /** Same origin means same scheme too: an https page must not talk to the plain-http server. */
  const ownOrigin = (req: Request) => `${isHttps(req, opts.trustProxy) ? "https" : "http"}://${req.headers.get("host")}`;
  // Non-browser clients send no Origin; browsers always do, and it must be ours or allowed.
  // `null` (sandboxed iframes, file://) and anything that is not an origin are refused.
  const originOk = (req: Request, origin: string | null) =>
    origin === null || allowed.has(origin) || origin.toLowerCase() === ownOrigin(req).toLowerCase();

  return async (req: Request, server: Server<SocketData>): Promise<Response | undefined> => {
    const ticket = new URL(req.url).searchParams.get("ticket");
    if (!originOk(req, req.headers.get("origin"))) {
      // A ticket shown to a foreign page is burnt: that page must not get to use it another way.
      if (ticket) await auth.redeemTicket(ticket).catch(() => null);
      opts.log.info("upgrade refused", { reason: "origin" });
      return deny(403, "forbidden", "origin not allowed");
    }
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return deny(400, "bad_request", "expected a WebSocket upgrade");
    }
    let principal;
    try {
      principal = await auth.redeemTicket(ticket);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      opts.log.info("upgrade refused", { reason: err.code });
      return deny(401, err.code, err.message);
    }
    const data: SocketData = { principal, connId: newId(), queue: Promise.resolve(), busy: 0, closed: false };
    return server.upgrade(req, { data }) ? undefined : deny(400, "bad_request", "upgrade failed");
  };
}
