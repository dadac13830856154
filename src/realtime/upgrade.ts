import type { Server } from "bun";
import type { AuthService } from "../domain/auth/auth-service.ts";
import { DomainError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import type { SocketData } from "./socket-data.ts";

const deny = (status: number, code: string, message: string) =>
  Response.json({ error: { code, message } }, { status });

/**
 * Authenticates before the upgrade: a single-use ticket from `POST /api/auth/ws-ticket`, valid for
 * seconds (browsers cannot put headers on a WebSocket; a long-lived token never goes in a URL).
 */
export function createUpgrader(auth: AuthService, allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return async (req: Request, server: Server<SocketData>): Promise<Response | undefined> => {
    const url = new URL(req.url);
    const origin = req.headers.get("origin");
    // Non-browser clients send no Origin; browsers always do, and it must be ours.
    if (origin && !allowed.has(origin) && new URL(origin).host !== req.headers.get("host")) {
      return deny(403, "forbidden", "origin not allowed");
    }
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return deny(400, "bad_request", "expected a WebSocket upgrade");
    }
    let principal;
    try {
      principal = await auth.redeemTicket(url.searchParams.get("ticket"));
    } catch (err) {
      if (err instanceof DomainError) return deny(401, err.code, err.message);
      throw err;
    }
    const data: SocketData = { principal, connId: newId(), queue: Promise.resolve(), closed: false };
    return server.upgrade(req, { data }) ? undefined : deny(400, "bad_request", "upgrade failed");
  };
}
