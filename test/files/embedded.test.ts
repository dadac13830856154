/** Attachments on the embedded server: files on disk under DATA_DIR/files, metadata in SQLite. */
import { afterAll, beforeAll, describe } from "bun:test";
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
