/** The self-hosted provider: an OpenAI-compatible `/v1/chat/completions` endpoint instead of Gemini. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { befriend, register, WsClient } from "../support/client.ts";
import { startFakeGemini, type FakeGemini } from "../support/fake-gemini.ts";
import { startServer, type TestServer } from "../support/server.ts";

let model: FakeGemini;
let server: TestServer;
let a: WsClient;
let b: WsClient;
let room: string;
let alice: Awaited<ReturnType<typeof register>>;

beforeAll(async () => {
  model = await startFakeGemini({ tokens: ["Local ", "llama ", "says ", "hi."], failTimes: 1 });
  server = await startServer({
    env: {
      OPENAI_BASE_URL: `${model.url}/v1`,
      OPENAI_MODEL: "llama-test",
      AI_SYSTEM_PROMPT: "You are the local bot.",
      AI_TIMEOUT_MS: "1500",
      AI_MAX_RETRIES: "2",
      AI_RATE_PER_MIN: "100",
    },
  });
  alice = await register(server.url, "oa");
  const bob = await register(server.url, "ob");
  await befriend(server.url, alice, bob);
  a = await WsClient.connect(server.url, alice);
  b = await WsClient.connect(server.url, bob);
  room = (await a.request({ type: "dm.open", userId: bob.id }, "dm.opened")).room.id;
}, 60_000);
afterAll(async () => {
  a?.close();
  b?.close();
  await server?.cleanup();
  await model?.stop();
});

async function ask(body: string) {
  const ack = await a.sendMessage(room, body);
  const start = await b.next("ai.start", (s) => s.replyTo === ack.id);
  const end = await b.next("ai.end", (e) => e.streamId === start.streamId, 20_000);
  const deltas = b.drain("ai.delta").filter((d) => d.streamId === start.streamId);
  const stored = await b.next("message", (m) => m.seq === end.seq && m.room === room);
  return { end, deltas, stored };
}

test("answers stream from the OpenAI-compatible endpoint, with the system prompt and roles mapped", async () => {
  await a.sendMessage(room, "context line");
  const first = await ask("/ai hello local model");
  expect(first.deltas.map((d) => d.text)).toEqual(["Local ", "llama ", "says ", "hi."]);
  expect(first.stored.body).toBe("Local llama says hi.");
  expect(first.end.status).toBe("complete");
  await ask("/ai and again");
  const req = model.requests.filter((r) => r.method === "chatCompletions").at(-1)!;
  expect(req.model).toBe("llama-test");
  expect(req.apiKey).toBe(""); // no OPENAI_API_KEY: no Authorization header
  expect(req.messages).toEqual([
    { role: "system", content: "You are the local bot." },
    { role: "user", content: `${alice.username}: context line` },
    { role: "user", content: `${alice.username}: /ai hello local model` },
    { role: "assistant", content: "Local llama says hi." },
    { role: "user", content: "and again" },
  ]);
});

test("a 429 is retried; a cut stream keeps what arrived", async () => {
  const retried = await ask("/ai busy? #429");
  expect(retried.end.status).toBe("complete");
  expect(retried.stored.body).toBe("Local llama says hi.");
  const cut = await ask("/ai go #cut");
  expect(cut.end.status).toBe("incomplete");
  expect(cut.stored.body).toBe("Local llama ");
  expect(cut.stored.incomplete).toBe(true);
});
