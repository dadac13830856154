import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { api, befriend, register, WsClient, type Account } from "../support/client.ts";
import { startFakeGemini, type FakeGemini } from "../support/fake-gemini.ts";
import { startServer, type TestServer } from "../support/server.ts";

let gemini: FakeGemini;
let server: TestServer;
const sockets: WsClient[] = [];

beforeAll(async () => {
  gemini = await startFakeGemini({ tokens: ["The ", "answer ", "is ", "42", "."], slowMs: 150, failTimes: 1 });
  server = await startServer({
    env: {
      GEMINI_API_KEY: "test-key",
      GEMINI_BASE_URL: gemini.url,
      GEMINI_MODEL: "gemini-test",
      AI_TIMEOUT_MS: "1500",
      AI_MAX_RETRIES: "2",
      AI_CONTEXT_MESSAGES: "3",
      AI_SYSTEM_PROMPT: "You are the test bot.",
      AI_RATE_PER_MIN: "100",
      AI_PROMPT_MAX: "200",
      SEND_RATE_PER_SEC: "1000",
      SEND_BURST: "1000",
    },
  });
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.cleanup();
  await gemini.stop();
});

async function dmPair() {
  const alice = await register(server.url, "aia");
  const bob = await register(server.url, "aib");
  await befriend(server.url, alice, bob);
  const a = await WsClient.connect(server.url, alice);
  const b = await WsClient.connect(server.url, bob);
  sockets.push(a, b);
  const room = (await a.request({ type: "dm.open", userId: bob.id }, "dm.opened")).room.id;
  return { alice, bob, a, b, room };
}

/** Sends a prompt and collects what the other member sees of the answer. */
async function ask(from: WsClient, watcher: WsClient, room: string, body: string) {
  const ack = await from.sendMessage(room, body);
  const start = await watcher.next("ai.start", (s) => s.replyTo === ack.id);
  const end = await watcher.next("ai.end", (e) => e.streamId === start.streamId, 20_000);
  const deltas = watcher.drain("ai.delta").filter((d) => d.streamId === start.streamId);
  const stored = await watcher.next("message", (m) => m.seq === end.seq && m.room === room).catch(() => null);
  return { ack, start, end, deltas, stored };
}

describe("/ai", () => {
  test("the answer streams in order to every member and is stored as one message equal to the deltas", async () => {
    const { a, b, room, alice } = await dmPair();
    await a.sendMessage(room, "we are talking about the meaning of life");
    const { start, end, deltas, stored } = await ask(a, b, room, "/ai what is the answer? #slow");
    expect(start).toMatchObject({ botId: "bot:ai", botName: "ai_bot" });
    expect(deltas.map((d) => d.index)).toEqual([0, 1, 2, 3, 4]);
    expect(end.status).toBe("complete");
    expect(stored!.body).toBe(deltas.map((d) => d.text).join(""));
    expect(stored!.body).toBe("The answer is 42.");
    expect(stored!.from).toBe("bot:ai");
    // A late joiner (history) gets the stored answer.
    const page = await api(server.url, "GET", `/api/conversations/${encodeURIComponent(room)}/messages?limit=1`, { token: alice.accessToken });
    expect(page.body.messages[0]).toMatchObject({ id: end.messageId, body: "The answer is 42.", fromName: "ai_bot" });
  });

  test("the request carries the system prompt and the room's recent context", async () => {
    const { a, b, room, alice, bob } = await dmPair();
    await a.sendMessage(room, "too old to be context");
    await a.sendMessage(room, "first line of context");
    await b.sendMessage(room, "second line of context");
    await a.sendMessage(room, "third line of context");
    const before = gemini.requests.length;
    await ask(a, b, room, "/ai summarise please #slow");
    await ask(a, b, room, "/ai and now?");
    const [first, second] = gemini.requests.slice(before);
    expect(first!.model).toBe("gemini-test");
    expect(first!.apiKey).toBe("test-key");
    expect(first!.body.systemInstruction?.parts[0]?.text).toBe("You are the test bot.");
    // AI_CONTEXT_MESSAGES=3: the last three messages before the prompt, oldest first, then the
    // prompt; consecutive turns of one role share a content (one part per message).
    expect(first!.body.contents).toEqual([
      {
        role: "user",
        parts: [
          { text: `${alice.username}: first line of context` },
          { text: `${bob.username}: second line of context` },
          { text: `${alice.username}: third line of context` },
          { text: "summarise please #slow" },
        ],
      },
    ]);
    // The bot's own answer is a "model" turn in the next request's context.
    expect(second!.body.contents.map((c) => [c.role, c.parts.length])).toEqual([["user", 2], ["model", 1], ["user", 1]]);
    expect(second!.body.contents[0]!.parts[1]!.text).toBe(`${alice.username}: /ai summarise please #slow`);
    expect(second!.body.contents[1]!.parts[0]!.text).toBe("The answer is 42.");
  });

  test("429 then success is retried; always-429 ends in a visible failure notice", async () => {
    const { a, b, room } = await dmPair();
    const retried = await ask(a, b, room, "/ai please #429");
    expect(retried.end.status).toBe("complete");
    expect(retried.stored!.body).toBe("The answer is 42.");
    const failed = await ask(a, b, room, "/ai please #429always");
    expect(failed.end.status).toBe("failed");
    expect(failed.deltas).toEqual([]);
    expect(failed.stored!.body).toContain("could not answer");
  });

  test("a model that never answers times out into a failure notice", async () => {
    const { a, b, room } = await dmPair();
    const r = await ask(a, b, room, "/ai are you there? #hang");
    expect(r.end.status).toBe("failed");
    expect(r.end.error).toContain("timed out");
  }, 30_000);

  test("a stream cut midway keeps what arrived and is marked incomplete", async () => {
    const { a, b, room } = await dmPair();
    const r = await ask(a, b, room, "/ai tell me #cut");
    expect(r.end.status).toBe("incomplete");
    expect(r.end.error).toBe("the answer was cut off");
    expect(r.deltas.map((d) => d.text).join("")).toBe("The answer ");
    expect(r.stored!.body).toBe("The answer ");
    expect(r.stored!.incomplete).toBe(true);
  });

  test("a 500 is retried like a 429", async () => {
    const { a, b, room } = await dmPair();
    const before = gemini.requests.length;
    const r = await ask(a, b, room, "/ai once more #500");
    expect(r.end.status).toBe("complete");
    expect(r.stored!.body).toBe("The answer is 42.");
    expect(gemini.requests.slice(before).filter((q) => q.prompt === "once more #500")).toHaveLength(2);
  });

  test("a retried send of the same /ai message (same clientId) is answered once", async () => {
    const { a, b, room } = await dmPair();
    const clientId = crypto.randomUUID();
    const [first, again] = await Promise.all([a.sendMessage(room, "/ai only once", clientId), a.sendMessage(room, "/ai only once", clientId)]);
    expect(again.id).toBe(first.id);
    const start = await b.next("ai.start", (s) => s.replyTo === first.id);
    await b.next("ai.end", (e) => e.streamId === start.streamId);
    await a.sendMessage(room, "after");
    await b.next("message", (m) => m.body === "after");
    expect(b.drain("ai.start").filter((s) => s.replyTo === first.id)).toEqual([]);
  });

  test("an empty or too long prompt is refused with bad_request and not stored", async () => {
    const { a, room, alice } = await dmPair();
    await expect(a.sendMessage(room, "/ai")).rejects.toThrow("bad_request");
    await expect(a.sendMessage(room, `/ai ${"x".repeat(201)}`)).rejects.toThrow("bad_request");
    const page = await api(server.url, "GET", `/api/conversations/${encodeURIComponent(room)}/messages`, { token: alice.accessToken });
    expect(page.body.messages).toEqual([]);
  });

  test("messages that merely mention /ai are not prompts", async () => {
    const { a, b, room } = await dmPair();
    await a.sendMessage(room, "/aim is not a command");
    await a.sendMessage(room, "done");
    await b.next("message", (m) => m.body === "done");
    expect(b.drain("ai.start")).toEqual([]);
  });
});

describe("AI isolation and limits", () => {
  test("while 20 /ai answers stream slowly, plain messages between two other users are still delivered promptly", async () => {
    const asker: Account = await register(server.url, "ask");
    const askerWs = await WsClient.connect(server.url, asker);
    sockets.push(askerWs);
    // The pair first: registering (argon2) on a loaded machine could outlast the answers' streams.
    const { a, b, room } = await dmPair();
    await Promise.all(Array.from({ length: 20 }, (_, i) => askerWs.sendMessage("general", `/ai question ${i} #slow`)));
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const sent = performance.now();
      await a.sendMessage(room, `plain ${i}`);
      await b.next("message", (m) => m.body === `plain ${i}`);
      latencies.push(performance.now() - sent);
    }
    // The AI answers were really in flight meanwhile.
    const stillStreaming = gemini.inFlight;
    expect(Math.max(...latencies)).toBeLessThan(2000);
    expect(stillStreaming).toBeGreaterThan(0);
    expect(askerWs.drain("ai.delta").length).toBeGreaterThan(0);
  });

  test("prompts, answers and the API key never reach the logs", async () => {
    const { a, b, room } = await dmPair();
    await ask(a, b, room, "/ai secret-prompt-marker #cut");
    await ask(a, b, room, "/ai secret-prompt-marker #429always");
    const logs = server.logs.join("\n");
    expect(logs).not.toContain("secret-prompt-marker");
    expect(logs).not.toContain("The answer");
    expect(logs).not.toContain("test-key");
  });
});

test("per-user AI rate limit", async () => {
  const limited = await startServer({ env: { GEMINI_API_KEY: "k", GEMINI_BASE_URL: gemini.url, AI_RATE_PER_MIN: "2" } });
  try {
    const u = await register(limited.url, "rl");
    const ws = await WsClient.connect(limited.url, u);
    await ws.sendMessage("general", "/ai one");
    await ws.sendMessage("general", "/ai two");
    await expect(ws.sendMessage("general", "/ai three")).rejects.toThrow("rate_limited");
    expect((await ws.sendMessage("general", "plain messages are not limited by it")).seq).toBeGreaterThan(0);
    ws.close();
  } finally {
    await limited.cleanup();
  }
});

test("without an API key the bot explains how to enable AI replies", async () => {
  const noKey = await startServer();
  try {
    const u = await register(noKey.url, "nk");
    const ws = await WsClient.connect(noKey.url, u);
    const ack = await ws.sendMessage("general", "/ai hello?");
    const start = await ws.next("ai.start", (s) => s.replyTo === ack.id);
    const end = await ws.next("ai.end", (e) => e.streamId === start.streamId);
    const notice = await ws.next("message", (m) => m.seq === end.seq);
    expect(notice.from).toBe("bot:ai");
    expect(notice.body).toContain("GEMINI_API_KEY");
    ws.close();
  } finally {
    await noKey.cleanup();
  }
});
