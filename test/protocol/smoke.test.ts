import { afterAll, beforeAll, expect, test } from "bun:test";
import { befriend, register, WsClient } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.cleanup());

test("two friends exchange a DM over WebSockets", async () => {
  const alice = await register(server.url, "alice");
  const bob = await register(server.url, "bob");
  await befriend(server.url, alice, bob);
  const a = await WsClient.connect(server.url, alice);
  const b = await WsClient.connect(server.url, bob);
  const opened = await a.request({ type: "dm.open", userId: bob.id }, "dm.opened");
  const ack = await a.sendMessage(opened.room.id, "hello bob");
  expect(ack.seq).toBe(1);
  const got = await b.next("message", (m) => m.room === opened.room.id);
  expect(got.body).toBe("hello bob");
  expect(got.from).toBe(alice.id);
  a.close();
  b.close();
});
