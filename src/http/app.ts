import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import type { AuthService } from "../domain/auth/auth-service.ts";
import type { ChatService } from "../domain/chat-service.ts";
import type { RoomService } from "../domain/room-service.ts";
import type { SocialService } from "../domain/social-service.ts";
import type { SearchService } from "../domain/search/search-service.ts";
import type { AnalyticsService } from "../domain/analytics/analytics-service.ts";
import type { Logger } from "../observability/logger.ts";
import type { MetricsRegistry } from "../observability/metrics.ts";
import type { EngineHealth } from "../ports/index.ts";
import { errorResponse, onError } from "./errors.ts";
import { authRoutes } from "./routes/auth.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { opsRoutes } from "./routes/ops.ts";
import { socialRoutes } from "./routes/social.ts";
import { searchRoutes } from "./routes/search.ts";

export interface HttpDeps {
  auth: AuthService;
  social: SocialService;
  rooms: RoomService;
  chat: ChatService;
  search: SearchService;
  analytics: AnalyticsService;
  log: Logger;
  registry: MetricsRegistry;
  health: () => Promise<EngineHealth[]>;
  instanceId: string;
  trustProxy: boolean;
  /** Serves the web client for everything that is not the API. */
  staticHandler?: (path: string) => Promise<Response | null>;
}

export function createHttpApp(d: HttpDeps) {
  const api = new Hono()
    .route("/auth", authRoutes(d.auth, { trustProxy: d.trustProxy }))
    .route("/", socialRoutes(d.auth, d.social))
    .route("/", conversationRoutes(d.auth, d.rooms, d.chat))
    .route("/", searchRoutes(d.auth, d.search, d.analytics));

  const app = new Hono()
    .use(secureHeaders({ crossOriginEmbedderPolicy: false }))
    .use("/api/*", bodyLimit({ maxSize: 64 * 1024, onError: (c) => errorResponse(c, "payload_too_large", "request body too large") }))
    .route("/", opsRoutes(d.instanceId, d.health, d.registry))
    .route("/api", api);

  app.notFound(async (c) => {
    if (!c.req.path.startsWith("/api") && d.staticHandler && c.req.method === "GET") {
      const res = await d.staticHandler(c.req.path);
      if (res) return res;
    }
    return errorResponse(c, "not_found", "no such route");
  });
  app.onError(onError(d.log));
  return app;
}
