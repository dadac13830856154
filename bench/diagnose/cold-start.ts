/**
 * Where the embedded cold start goes: runtime start, module loading, adapters (SQLite, writer
 * worker, migrations), the rest of startServer. Run pinned like the benchmark:
 *   taskset -c 0 bun bench/diagnose/cold-start.ts
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const t0 = performance.now();
const sinceProcessStart = t0; // performance.now() counts from process start
const { loadConfig } = await import("../../src/config.ts");
const { createLogger } = await import("../../src/observability/logger.ts");
const { startServer } = await import("../../src/server.ts");
const t1 = performance.now();
const { createAdapters } = await import("../../src/composition.ts");
const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: mkdtempSync(join(tmpdir(), "cold-")), LOG_LEVEL: "error", SERVE_CLIENT: "false" });
const log = createLogger("error");
const t2 = performance.now();
const adapters = await createAdapters(config, log, "diag");
for (const part of adapters.lifecycle) await part.start?.();
const t3 = performance.now();
for (const part of [...adapters.lifecycle].reverse()) await part.close?.();
const config2 = loadConfig({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: mkdtempSync(join(tmpdir(), "cold-")), LOG_LEVEL: "error", SERVE_CLIENT: "false" });
const t4 = performance.now();
const server = await startServer(config2, log);
const t5 = performance.now();
console.log(JSON.stringify({
  runtimeToFirstLineMs: +sinceProcessStart.toFixed(1),
  importModulesMs: +(t1 - t0).toFixed(1),
  adaptersStartMs: +(t3 - t2).toFixed(1),
  startServerTotalMs: +(t5 - t4).toFixed(1),
}));
await server.stop();
process.exit(0);
