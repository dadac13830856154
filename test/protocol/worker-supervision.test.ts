/**
 * The SQLite writer worker dies mid-burst (killed through the test-only hook, TEST_FAULT_HOOKS): every
 * pending send ends with an ack or `unavailable` (none hangs), the worker comes back, and resending the
 * failed ones with the same clientId leaves each message stored exactly once, gap-free.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { api, register, WsClient } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { TEST_FAULT_HOOKS: "true", SEND_RATE_PER_SEC: "10000", SEND_BURST: "10000" } });
});
afterAll(() => server.cleanup());

const metric = async (name: string) => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\d+)`, "m"))?.[1] ?? NaN);
};

describe("worker supervision", () => {
  test("a writer that dies fails what it had with unavailable, restarts, and loses or duplicates nothing", async () => {
    const a = await register(server.url, "wk");
    const ws = await WsClient.connect(server.url, a);
    const room = (await api(server.url, "POST", "/api/groups", { token: a.accessToken, body: { name: "burst", members: [] } })).body.id;
    const ids = Array.from({ length: 300 }, () => crypto.randomUUID());
    const sends = ids.map((clientId, i) => ws.sendMessage(room, `m${i}`, clientId));
    server.proc.kill("SIGUSR2"); // kills the writer while the burst is in flight

    const settled = await Promise.allSettled(sends); // would hang forever without supervision
    const failed = settled.flatMap((r, i) => (r.status === "rejected" ? [i] : []));
    for (const i of failed) expect(String((settled[i] as PromiseRejectedResult).reason)).toContain("unavailable");

    // Back up: its health entry is green again (details are shown to loopback requests) and the
    // restart is counted. (The overall status may stay red a while for the calls that failed.)
    const writerHealth = async () =>
      ((await (await fetch(`${server.url}/api/health`)).json()) as { engines: { name: string; ok: boolean; restarts?: number }[] }).engines.find(
        (e) => e.name === "worker:sqlite-writer",
      );
    for (const deadline = Date.now() + 15_000; !(await writerHealth())?.ok && Date.now() < deadline; ) await Bun.sleep(50);
    expect(await writerHealth()).toMatchObject({ ok: true, restarts: 1 });
    expect(await metric('chat_worker_restarts_total{worker="sqlite-writer"}')).toBe(1);
    expect(await metric('chat_worker_up{worker="sqlite-writer"}')).toBe(1);

    // The client retries what failed, as it would after `unavailable`.
    for (const i of failed) await ws.sendMessage(room, `m${i}`, ids[i]);
    const stored = [];
    for (let before: number | undefined; ; ) {
      const page = await ws.request({ type: "history", room, limit: 100, ...(before ? { before } : {}) }, "history");
      stored.push(...page.messages);
      if (!page.hasMore) break;
      before = page.messages.at(-1)!.seq;
    }
    expect(stored.map((m) => m.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(new Set(stored.map((m) => m.clientId)).size).toBe(300);
    ws.close();
  }, 60_000);
});
