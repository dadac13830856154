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
import { isHttps } from "./request-info.ts";
import { authRoutes } from "./routes/auth.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { opsRoutes } from "./routes/ops.ts";
import { socialRoutes } from "./routes/social.ts";
import type { StaticHandler } from "./static.ts";
import { searchRoutes } from "./routes/search.ts";
import { fileRoutes } from "./routes/files.ts";
import type { FileService } from "../domain/files/file-service.ts";

export interface HttpDeps {
  auth: AuthService;
  social: SocialService;
  rooms: RoomService;
  chat: ChatService;
  search: SearchService;
  analytics: AnalyticsService;
  files: FileService;
  log: Logger;
  registry: MetricsRegistry;
  health: () => Promise<EngineHealth[]>;
  instanceId: string;
  trustProxy: boolean;
  adminUsernames: readonly string[];
  metricsToken?: string;
  /** Serves the web client for everything that is not the API. */
  staticHandler?: StaticHandler;
}

/**
 * The client is one bundle from this origin: no inline script, no eval, sockets and fetches only
 * back home. Inline styles stay allowed (the UI sets style attributes).
 */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};
const HSTS = "max-age=15552000; includeSubDomains";

export function createHttpApp(d: HttpDeps) {
  const api = new Hono()
    .route("/auth", authRoutes(d.auth, { trustProxy: d.trustProxy }))
    .route("/", socialRoutes(d.auth, d.social, (p) => d.analytics.isAdmin(p)))
    .route("/", conversationRoutes(d.auth, d.rooms, d.chat))
    .route("/", searchRoutes(d.auth, d.search, d.analytics))
    .route("/", fileRoutes(d.auth, d.files, { trustProxy: d.trustProxy }));
  const smallBodies = bodyLimit({ maxSize: 64 * 1024, onError: (c) => errorResponse(c, "payload_too_large", "request body too large") });

  const app = new Hono()
    // overwrite: false lets a route set a stricter policy of its own (served files: src/http/routes/files.ts).
    .use(secureHeaders({ crossOriginEmbedderPolicy: false, strictTransportSecurity: false, contentSecurityPolicy: CSP, overwrite: false }))
    // HSTS over plain http is ignored at best, and pins a host that has no https at worst.
    .use(async (c, next) => {
      await next();
      if (isHttps(c.req.raw, d.trustProxy)) c.header("Strict-Transport-Security", HSTS);
    })
    // Uploads stream under their own limit (FILE_MAX_BYTES, counted as they arrive).
    .use("/api/*", (c, next) => (c.req.method === "POST" && c.req.path === "/api/files" ? next() : smallBodies(c, next)))
    .route(
      "/",
      opsRoutes({
        instanceId: d.instanceId,
        checks: d.health,
        registry: d.registry,
        auth: d.auth,
        adminUsernames: d.adminUsernames,
        metricsToken: d.metricsToken,
        trustProxy: d.trustProxy,
      }),
    )
    .route("/api", api);

  app.notFound(async (c) => {
    // Hono answers HEAD with the GET route minus the body; the method here is still HEAD.
    const read = c.req.method === "GET" || c.req.method === "HEAD";
    if (read && d.staticHandler && !c.req.path.startsWith("/api/") && c.req.path !== "/api") {
      const res = await d.staticHandler(new URL(c.req.url).pathname);
      if (res) return res;
    }
    return errorResponse(c, "not_found", "no such route");
  });
  app.onError(onError(d.log));
  return app;
}
