import { Hono } from "hono";
import type { MetricsRegistry } from "../../observability/metrics.ts";
import type { EngineHealth } from "../../ports/index.ts";

/** Liveness with the state of every engine in use, and Prometheus metrics. */
export function opsRoutes(instanceId: string, checks: () => Promise<EngineHealth[]>, registry: MetricsRegistry) {
  return new Hono()
    .get("/api/health", async (c) => {
      const engines = await checks();
      const ok = engines.every((e) => e.ok);
      return c.json({ status: ok ? "ok" : "degraded", instance: instanceId, engines }, ok ? 200 : 503);
    })
    .get("/metrics", async (c) => c.text(await registry.render(), 200, { "Content-Type": registry.contentType }));
}
