import { Hono } from "hono";
import type { AuthService } from "../../domain/auth/auth-service.ts";
import type { AnalyticsService } from "../../domain/analytics/analytics-service.ts";
import type { SearchService } from "../../domain/search/search-service.ts";
import { analyticsQuerySchema, searchQuerySchema } from "../../protocol/index.ts";
import { requireAuth, type AppEnv } from "../context.ts";
import { validate } from "../validate.ts";

/** `GET /api/search` (every user, their rooms only) and `GET /api/analytics` (administrators). */
export function searchRoutes(auth: AuthService, search: SearchService, analytics: AnalyticsService) {
  // On each route, not `.use`: mounted at "/", a `.use` would run for every /api path, known or not.
  const authed = requireAuth(auth);
  return new Hono<AppEnv>()
    .get("/search", authed, validate("query", searchQuerySchema), async (c) => c.json(await search.search(c.get("principal"), c.req.valid("query"))))
    .get("/analytics", authed, validate("query", analyticsQuerySchema), async (c) =>
      c.json(await analytics.report(c.get("principal"), c.req.valid("query").range)),
    );
}
