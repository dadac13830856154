/** Attachments on the embedded server: files on disk under DATA_DIR/files, metadata in SQLite. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { register } from "../support/client.ts";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { startServer, type TestServer } from "../support/server.ts";
import { EXPIRY_ENV, expirySuite, FILE_ENV, fileSuite } from "./suite.ts";

let server: TestServer;
let expiring: TestServer;
beforeAll(async () => {
  [server, expiring] = await Promise.all([startServer({ env: FILE_ENV }), startServer({ env: { ...FILE_ENV, ...EXPIRY_ENV } })]);
});
afterAll(() => Promise.all([server?.cleanup(), expiring?.cleanup()]));

const filesIn = (s: TestServer) => async () => {
  const dir = join(s.dataDir, "files");
  return existsSync(dir) ? readdirSync(dir).length : 0;
};

describe("attachments, embedded", () => {
  fileSuite(() => ({ one: server.url, two: server.url, stored: filesIn(server) }));
});

describe("attachments expire, embedded", () => {
  expirySuite(() => ({ one: expiring.url, two: expiring.url, stored: filesIn(expiring), logs: () => expiring.logs }));
});

test("an upload the client cuts off part way leaves no file and logs no server error", async () => {
  const who = await register(server.url, "fz");
  const before = await filesIn(server)();
  const socket = connect(server.port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(`POST /api/files?room=general&name=cut.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${who.accessToken}\r\nContent-Length: 200000\r\n\r\n`);
  socket.write(new Uint8Array(20_000).fill(7));
  // The server has the first bytes once a part file exists; then the client vanishes.
  const dir = join(server.dataDir, "files");
  const deadline = Date.now() + 10_000;
  while (!readdirSync(dir).some((n) => n.endsWith(".part")) && Date.now() < deadline) await Bun.sleep(10);
  socket.destroy();
  while (readdirSync(dir).length !== before && Date.now() < deadline + 10_000) await Bun.sleep(20);
  expect(readdirSync(dir).length).toBe(before);
  expect(server.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
});
