import { timingSafeEqual } from "node:crypto";
import { Hono, type Context } from "hono";
import type { AuthService } from "../../domain/auth/auth-service.ts";
import type { MetricsRegistry } from "../../observability/metrics.ts";
import type { EngineHealth } from "../../ports/index.ts";
import { bearerToken } from "../context.ts";
import { errorResponse } from "../errors.ts";
import { clientAddress, isLoopback } from "../request-info.ts";

export interface OpsOptions {
  instanceId: string;
  checks: () => Promise<EngineHealth[]>;
  registry: MetricsRegistry;
  auth: AuthService;
  /** Lower-cased usernames that may see health details. */
  adminUsernames: readonly string[];
  /** When set, `/metrics` needs `Authorization: Bearer <it>`, and it also unlocks health details. */
  metricsToken?: string;
  trustProxy: boolean;
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Liveness for load balancers (status only, for anyone) with engine details, the instance and
 * database paths for operators only: a local request, the metrics token, or an admin's session.
 */
export function opsRoutes(o: OpsOptions) {
  const admins = new Set(o.adminUsernames.map((u) => u.toLowerCase()));
  const tokenOk = (c: Context) => {
    const bearer = bearerToken(c);
    return !!(o.metricsToken && bearer && sameSecret(bearer, o.metricsToken));
  };
  const isOperator = async (c: Context) => {
    if (isLoopback(clientAddress(c, o.trustProxy)) || tokenOk(c)) return true;
    const bearer = bearerToken(c);
    if (!bearer || admins.size === 0) return false;
    const principal = await o.auth.authenticate(bearer).catch(() => null);
    return !!principal && admins.has(principal.username.toLowerCase());
  };

  return new Hono()
    .get("/api/health", async (c) => {
      const engines = await o.checks();
      const ok = engines.every((e) => e.ok);
      const status = ok ? "ok" : "degraded";
      const body = (await isOperator(c)) ? { status, instance: o.instanceId, engines } : { status };
      return c.json(body, ok ? 200 : 503);
    })
    .get("/metrics", async (c) => {
      if (o.metricsToken && !tokenOk(c)) return errorResponse(c, "unauthorized", "metrics need the bearer token");
      return c.text(await o.registry.render(), 200, { "Content-Type": o.registry.contentType });
    });
}
