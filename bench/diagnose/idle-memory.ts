/**
 * Where an idle connection's memory goes: runs the embedded server in this process, opens N
 * authenticated connections from a generator process, and prints the RSS and JS-heap growth per
 * connection after a full GC, with the object types that grew most.
 *   taskset -c 0 bun bench/diagnose/idle-memory.ts [N]
 */
import { heapStats } from "bun:jsc";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { startServer } from "../../src/server.ts";
import { startGenerator } from "../servers.ts";
import { SEED_JWT_SECRET, seedAccounts } from "../seed.ts";

const n = Number(process.argv[2] ?? 5000);
const dataDir = mkdtempSync(join(tmpdir(), "idle-"));
const warmCount = Math.min(1000, n);
// One account per connection, as in the benchmark: real users each have their own.
const tokens = await seedAccounts(dataDir, warmCount + n, "idle");
const config = loadConfig({
  PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "error", SERVE_CLIENT: "false", JWT_SECRET: SEED_JWT_SECRET,
});
const server = await startServer(config, createLogger("error"));
const url = `http://127.0.0.1:${server.port}`;

const snapshot = () => {
  Bun.gc(true);
  const h = heapStats();
  return { rss: process.memoryUsage().rss, heap: h.heapSize, types: h.objectTypeCounts as Record<string, number> };
};
const openIdle = async (from: number, count: number) => {
  const gen = startGenerator<{ open: number }>("idle.ts", { target: { kind: "project", url }, tokens: tokens.slice(from, from + count), n: count });
  return { gen, open: (await gen.result).open };
};
// Warm-up, as in the benchmark: compile the handshake path first.
const warm = await openIdle(0, warmCount);
warm.gen.proc.kill();
await warm.gen.proc.exited;
await Bun.sleep(2000);
const before = snapshot();
const { gen, open } = await openIdle(warmCount, n);
await Bun.sleep(2000);
const after = snapshot();
const kib = (b: number) => +(b / 1024 / open).toFixed(2);
const grew = Object.entries(after.types)
  .map(([t, c]) => [t, c - (before.types[t] ?? 0)] as const)
  .filter(([, d]) => d >= open / 2)
  .sort((a, b) => b[1] - a[1])
  .map(([t, d]) => `${t} +${(d / open).toFixed(2)}/conn`);
gen.proc.kill();
await gen.proc.exited;
await Bun.sleep(3000);
// What stays after every connection closed is heap and allocator pages kept, not held by sockets.
const closed = snapshot();
console.log(JSON.stringify({ open, rssKiBPerConn: kib(after.rss - before.rss), heapKiBPerConn: kib(after.heap - before.heap), rssKiBPerConnKeptAfterClose: kib(closed.rss - before.rss), grew }, null, 1));
await server.stop();
process.exit(0);
