import { afterAll, beforeAll, expect, test } from "bun:test";
import { register, WsClient } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.cleanup());

const metric = (text: string, name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text)?.[1]);

test("health reports the embedded store", async () => {
  const res = await fetch(`${server.url}/api/health`);
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.status).toBe("ok");
  expect(body.engines).toContainEqual(expect.objectContaining({ name: "sqlite", ok: true }));
});

test("metrics count sockets, messages, acks and rejected frames", async () => {
  const a = await register(server.url, "met");
  const b = await register(server.url, "met");
  const ca = await WsClient.connect(server.url, a);
  const cb = await WsClient.connect(server.url, b);
  await ca.sendMessage("general", "counted");
  await cb.next("message", (m) => m.body === "counted");
  ca.sendRaw("{broken");
  await ca.next("error");
  const text = await (await fetch(`${server.url}/metrics`)).text();
  expect(metric(text, "chat_open_sockets")).toBe(2);
  expect(metric(text, "chat_messages_in_total")).toBe(1);
  expect(metric(text, "chat_messages_out_total")).toBe(2);
  expect(metric(text, "chat_ack_latency_seconds_count")).toBe(1);
  expect(text).toContain('chat_frames_rejected_total{code="bad_request"} 1');
  expect(text).toContain("chat_persistence_queue_depth");
  ca.close();
  cb.close();
});
