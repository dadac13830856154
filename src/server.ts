import { createAdapters, jwtSecret, type Adapters } from "./composition.ts";
import { withDeadline } from "./adapters/guard/bounded-port.ts";
import { AiResponder } from "./domain/ai/ai-responder.ts";
import { BOT_USER_ID, BOT_USERNAME } from "./domain/model.ts";
import type { Config } from "./config.ts";
import { AuthService } from "./domain/auth/auth-service.ts";
import { TokenService } from "./domain/auth/tokens.ts";
import { ChatService } from "./domain/chat-service.ts";
import { newId } from "./domain/ids.ts";
import { PresenceService } from "./domain/presence-service.ts";
import { ActivityRecorder } from "./domain/activity.ts";
import { SearchService } from "./domain/search/search-service.ts";
import { AnalyticsService } from "./domain/analytics/analytics-service.ts";
import { RoomService } from "./domain/room-service.ts";
import { SocialService } from "./domain/social-service.ts";
import { TypingService } from "./domain/typing-service.ts";
import { FileService, wireAttachments } from "./domain/files/file-service.ts";
import { join } from "node:path";
import { createHttpApp } from "./http/app.ts";
import { createEdge, edgeErrorHandler } from "./http/edge.ts";
import { createStaticHandler } from "./http/static.ts";
import { errorFields, type Logger } from "./observability/logger.ts";
import { createChatMetrics } from "./observability/metrics.ts";
import type { EngineHealth } from "./ports/index.ts";
import { Gateway } from "./realtime/gateway.ts";
import { RealtimeHub } from "./realtime/hub.ts";
import type { SocketData } from "./realtime/socket-data.ts";
import { createUpgrader } from "./realtime/upgrade.ts";

const CLIENT_DIST = join(import.meta.dir, "..", "client", "dist");

export interface RunningServer {
  port: number;
  instanceId: string;
  stop(): Promise<void>;
}

/** Wires services to adapters and serves HTTP and `/ws` on one port. */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const instanceId = config.INSTANCE_ID ?? newId().slice(-12);
  const adapters = await createAdapters(config, log, instanceId);
  for (const part of adapters.lifecycle) await part.start?.();

  const metrics = createChatMetrics();
  const activity = new ActivityRecorder(adapters.activity, instanceId);
  const hub = new RealtimeHub(adapters.bus, metrics);
  const tokens = new TokenService({
    secret: jwtSecret(config),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTtlSec: config.ACCESS_TOKEN_TTL_SEC,
    refreshTtlSec: config.REFRESH_TOKEN_TTL_SEC,
  });
  const rooms = new RoomService(adapters.rooms, adapters.reader, adapters.changeReader, adapters.accounts, adapters.social, hub, adapters.presence, activity, {
    limiter: adapters.limiter,
    limits: {
      createdMax: config.GROUPS_CREATED_MAX,
      createdPerHour: config.GROUPS_CREATED_PER_HOUR,
      membersMax: config.GROUP_MEMBERS_MAX,
      perUserMax: config.GROUPS_PER_USER_MAX,
    },
  });
  await rooms.ensurePublicRoom();
  const auth = new AuthService(
    adapters.accounts,
    tokens,
    adapters.tickets,
    adapters.limiter,
    hub,
    {
      loginMaxAttempts: config.LOGIN_MAX_ATTEMPTS,
      loginWindowSec: config.LOGIN_WINDOW_SEC,
      loginAddressMaxAttempts: config.LOGIN_ADDRESS_MAX_ATTEMPTS,
      registerMaxPerAddress: config.REGISTER_MAX_PER_ADDRESS,
      ticketTtlSec: config.WS_TICKET_TTL_SEC,
    },
    (user) => rooms.joinPublic(user.id),
    activity,
  );
  const social = new SocialService(adapters.accounts, adapters.social, adapters.presence, hub, activity, {
    limiter: adapters.limiter,
    limits: { pendingMax: config.FRIEND_REQUESTS_PENDING_MAX, requestsPerHour: config.FRIEND_REQUESTS_PER_HOUR },
  });
  const presence = new PresenceService(adapters.presence, adapters.accounts, adapters.social, hub);
  const typing = new TypingService(hub, config.TYPING_TTL_MS);
  const files = new FileService(adapters.files, adapters.uploads, adapters.rooms, adapters.limiter, adapters.previewer, {
    maxBytes: config.FILE_MAX_BYTES,
    quotaBytes: config.FILE_QUOTA_BYTES,
    uploadsPerHour: config.FILE_UPLOADS_PER_HOUR,
    previewBox: 480,
  });
  const chat = new ChatService(
    adapters.log,
    adapters.reader,
    adapters.rooms,
    hub,
    { changes: adapters.changes, changeReader: adapters.changeReader, accounts: adapters.accounts, editWindowSec: config.EDIT_WINDOW_SEC },
    activity,
  );
  wireAttachments(chat, files, log);
  const ai = await startAi(config, adapters, chat, hub, activity);
  if (adapters.indexMessage) chat.onMessage(adapters.indexMessage);

  const gateway = new Gateway({
    hub,
    chat,
    rooms,
    presence,
    typing,
    sendLimiter: adapters.sendLimiter,
    metrics,
    log,
    sendBucket: { capacity: config.SEND_BURST, refillPerSec: config.SEND_RATE_PER_SEC },
    heartbeatMs: Math.floor((config.WS_IDLE_TIMEOUT_SEC * 1000) / 2),
    socketsPerUser: config.WS_SOCKETS_PER_USER,
    readyRooms: config.READY_ROOMS_MAX,
    admit: (me, body) => ai.responder.admit(me, body),
    activity,
  });

  metrics.registry.gauge("chat_open_sockets", "Open WebSocket connections on this instance", () => hub.socketCount);
  let backlog = 0;
  metrics.registry.gauge("chat_persistence_queue_depth", "Messages accepted but not yet in the final store", () => backlog);
  if (adapters.indexStatus) {
    const status = adapters.indexStatus;
    metrics.registry.gauge("chat_index_lag", "Messages and activity events not yet indexed for search (-1: unknown)", () => status().lag ?? -1);
    metrics.registry.gauge("chat_index_parked", "Documents the search index rejected, parked for inspection", () => status().parked);
  }
  const backlogTimer = setInterval(() => void adapters.log.backlog().then((n) => (backlog = n), () => {}), 1000);

  // Worker threads are supervised (restarted when they die); health is red while one is down.
  const threads = adapters.lifecycle.flatMap((p) => p.workers?.() ?? []);
  metrics.registry.sampledByLabel("chat_worker_up", "1 while the worker thread runs, 0 while it is down", "gauge", "worker", () =>
    threads.map((t) => [t.status().name, t.status().up ? 1 : 0]),
  );
  metrics.registry.sampledByLabel("chat_worker_restarts_total", "Worker threads restarted after dying", "counter", "worker", () =>
    threads.map((t) => [t.status().name, t.status().restarts]),
  );
  if (config.TEST_FAULT_HOOKS) {
    log.warn("test fault hooks enabled: SIGUSR2 kills every worker thread");
    process.on("SIGUSR2", () => threads.forEach((t) => t.kill()));
  }
  const health = async (): Promise<EngineHealth[]> => [
    ...(await Promise.all(
      adapters.lifecycle.flatMap((p) =>
        p.health
          ? [withDeadline(p.health(), config.STORAGE_TIMEOUT_MS * 2, "health", "check").catch((err): EngineHealth => ({ name: "unknown", ok: false, detail: err instanceof Error ? err.message : String(err) }))]
          : [],
      ),
    )),
    ...threads.map((t) => {
      const s = t.status();
      const down = s.downSince ? { detail: `down since ${new Date(s.downSince).toISOString()}, restarting` } : {};
      return { name: `worker:${s.name}`, ok: s.up, restarts: s.restarts, ...down };
    }),
  ];

  const app = createHttpApp({
    auth,
    social,
    rooms,
    chat,
    search: new SearchService(adapters.search, adapters.rooms),
    analytics: new AnalyticsService(adapters.analytics, new Set(config.ADMIN_USERNAMES)),
    files,
    log,
    registry: metrics.registry,
    health,
    instanceId,
    trustProxy: config.TRUST_PROXY,
    adminUsernames: config.ADMIN_USERNAMES,
    metricsToken: config.METRICS_TOKEN,
    staticHandler: config.SERVE_CLIENT ? createStaticHandler(config.CLIENT_DIR ?? CLIENT_DIST) : undefined,
  });
  const upgrade = createUpgrader(auth, { allowedOrigins: config.ALLOWED_ORIGINS, trustProxy: config.TRUST_PROXY, log });

  const server = Bun.serve<SocketData, never>({
    port: config.PORT,
    hostname: config.HOST,
    fetch: createEdge<SocketData>(upgrade, (req, srv) => app.fetch(req, srv)),
    error: edgeErrorHandler(log),
    websocket: {
      ...gateway.handlers(),
      maxPayloadLength: config.WS_MAX_FRAME_BYTES,
      idleTimeout: config.WS_IDLE_TIMEOUT_SEC,
      backpressureLimit: config.WS_BACKPRESSURE_BYTES,
      closeOnBackpressureLimit: true,
      perMessageDeflate: false,
      sendPings: true,
    },
  });
  hub.attach(server);
  log.info("listening", { port: server.port, mode: adapters.mode, instance: instanceId });

  return {
    port: server.port!,
    instanceId,
    async stop() {
      clearInterval(backlogTimer);
      typing.close();
      await server.stop(true);
      // Answers in progress finish (and are stored) before the worker and the stores go away.
      await adapters.aiQueue.close?.();
      for (const part of [...adapters.lifecycle].reverse()) {
        await part.close?.().catch((err) => log.warn("close failed", errorFields(err)));
      }
    },
  };
}

/** `/ai` replies: Gemini on the AI worker thread when a key is configured, a clear notice otherwise. */
async function startAi(config: Config, adapters: Adapters, chat: ChatService, hub: RealtimeHub, activity: ActivityRecorder) {
  await adapters.accounts.createUser({
    id: BOT_USER_ID,
    username: BOT_USERNAME,
    passwordHash: "!", // no password verifies against this: nobody can log in as the bot
    createdAt: Date.now(),
    lastSeen: null,
  });
  const responder = new AiResponder(chat, adapters.reader, hub, adapters.limiter, adapters.aiQueue, adapters.aiRunner, {
    contextMessages: config.AI_CONTEXT_MESSAGES,
    systemPrompt: config.AI_SYSTEM_PROMPT,
    promptMax: config.AI_PROMPT_MAX,
    ratePerMin: config.AI_RATE_PER_MIN,
  }, activity);
  chat.onMessage(responder.onMessage);
  adapters.aiQueue.serve(responder.serve);
  return { responder };
}

export type { Adapters };
