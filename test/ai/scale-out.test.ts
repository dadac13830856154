/** `/ai` across two instances: requests go through Kafka (`chat.ai`), any instance serves, each exactly once. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { api, befriend, register, sleep, WsClient } from "../support/client.ts";
import { describeWithEngines, scaleOutEnv } from "../support/engines.ts";
import { startFakeGemini, type FakeGemini } from "../support/fake-gemini.ts";
import { startServer, type TestServer } from "../support/server.ts";

const CTL = join(import.meta.dir, "..", "..", "scripts", "engines", "ctl.sh");
const ctl = async (action: string, engine: string) => {
  const p = Bun.spawn(["bash", CTL, action, engine], { stdout: "pipe", stderr: "pipe" });
  if ((await p.exited) !== 0) throw new Error(`ctl ${action} ${engine} failed: ${await new Response(p.stderr).text()}`);
};

describeWithEngines(["redis", "kafka", "mongodb"], "/ai scaled out", () => {
  let gemini: FakeGemini;
  let one: TestServer;
  let two: TestServer;
  const sockets: WsClient[] = [];

  beforeAll(async () => {
    gemini = await startFakeGemini({ tokens: ["Served ", "by ", "any ", "instance."], slowMs: 40 });
    const env = scaleOutEnv({
      GEMINI_API_KEY: "test-key",
      GEMINI_BASE_URL: gemini.url,
      AI_RATE_PER_MIN: "1000",
      SEND_RATE_PER_SEC: "1000",
      SEND_BURST: "1000",
    });
    [one, two] = await Promise.all([startServer({ env }), startServer({ env })]);
    // Both instances in the consumer group, the topic's partitions split between them.
    const owned = async (s: TestServer) =>
      ((await api(s.url, "GET", "/api/health")).body.engines.find((e: { name: string }) => e.name === "kafka-ai")?.partitions ?? 0) as number;
    for (let waited = 0; ; waited += 250) {
      const [p1, p2] = await Promise.all([owned(one), owned(two)]);
      if (p1 > 0 && p2 > 0 && p1 + p2 === 3) break;
      if (waited > 45_000) throw new Error(`consumer group did not settle: ${p1} + ${p2} partitions`);
      await sleep(250);
    }
  }, 90_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all([one?.cleanup(), two?.cleanup()]);
    await gemini?.stop();
  }, 60_000);

  test("requests asked on one instance are answered exactly once each, streamed to members on both, by both instances' workers", async () => {
    const [asker, watcher] = await Promise.all([register(one.url, "sa"), register(two.url, "sw")]);
    const a = await WsClient.connect(one.url, asker);
    const w = await WsClient.connect(two.url, watcher);
    sockets.push(a, w);
    // A DM of fresh users: a room no earlier run has written to (Redis is shared between runs).
    await befriend(one.url, asker, watcher);
    const room = (await a.request({ type: "dm.open", userId: watcher.id }, "dm.opened")).room.id;
    const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => a.sendMessage(room, `/ai question ${i} #slow`)));
    const ids = new Set(acks.map((x) => x.id));

    // Every request ends (on the watcher's instance), each with its own stored answer.
    const ends = new Map<string, { seq: number | null; status: string }>();
    const streamOf = new Map<string, string>();
    while (ends.size < acks.length) {
      const start = await w.next("ai.start", (s) => ids.has(s.replyTo) && !streamOf.has(s.replyTo), 30_000);
      streamOf.set(start.replyTo, start.streamId);
      const end = await w.next("ai.end", (e) => e.streamId === start.streamId, 30_000);
      ends.set(start.replyTo, end);
    }
    expect([...ends.values()].every((e) => e.status === "complete")).toBe(true);
    const seqs = [...ends.values()].map((e) => e.seq);
    expect(new Set(seqs).size).toBe(acks.length);

    // Nothing answered twice: give a duplicate time to show up, then look for one.
    await sleep(1000);
    expect(w.drain("ai.start").filter((s) => ids.has(s.replyTo))).toEqual([]);
    const history = await api(one.url, "GET", `/api/conversations/${encodeURIComponent(room)}/messages?limit=100`, { token: asker.accessToken });
    const answers = (history.body.messages as { from: string; body: string }[]).filter((m) => m.from === "bot:ai");
    expect(answers).toHaveLength(acks.length);
    expect(answers.every((m) => m.body === "Served by any instance.")).toBe(true);
    expect(gemini.requests.filter((r) => r.prompt.startsWith("question "))).toHaveLength(acks.length);

    // The work was shared: each instance's worker took some of the requests.
    const taken = (s: TestServer) => s.logs.filter((l) => l.includes('"msg":"ai request taken"')).length;
    expect(taken(one) + taken(two)).toBe(acks.length);
    expect(taken(one)).toBeGreaterThan(0);
    expect(taken(two)).toBeGreaterThan(0);
  }, 90_000);

  // Stops the shared Kafka (restarted in finally), so it runs last.
  test("with Kafka down, a request is answered by the instance it was asked on", async () => {
    const [asker, watcher] = await Promise.all([register(one.url, "ka"), register(one.url, "kw")]);
    await befriend(one.url, asker, watcher);
    const a = await WsClient.connect(one.url, asker);
    const w = await WsClient.connect(two.url, watcher);
    sockets.push(a, w);
    const room = (await a.request({ type: "dm.open", userId: watcher.id }, "dm.opened")).room.id;
    await ctl("stop", "kafka");
    try {
      const ack = await a.sendMessage(room, "/ai are you still there?");
      const start = await w.next("ai.start", (s) => s.replyTo === ack.id, 20_000);
      const end = await w.next("ai.end", (e) => e.streamId === start.streamId, 20_000);
      expect(end.status).toBe("complete");
      expect(one.logs.some((l) => l.includes('"msg":"ai request not queued, serving it here"'))).toBe(true);
      const stored = await w.next("message", (m) => m.room === room && m.seq === end.seq);
      expect(stored.body).toBe("Served by any instance.");
    } finally {
      await ctl("start", "kafka");
    }
  }, 90_000);
});
