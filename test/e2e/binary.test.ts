/** The self-contained executable, started from an empty directory, completes a DM round trip. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { befriend, register, WsClient } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { download, pngOf, uploadFile } from "../files/suite.ts";

const ROOT = join(import.meta.dir, "..", "..");
let server: TestServer;
let cwd: string;

beforeAll(async () => {
  const build = Bun.spawnSync(["npm", "run", "build:binary"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`binary build failed: ${build.stderr}`);
  cwd = mkdtempSync(join(tmpdir(), "chat-binary-"));
  server = await startServer({ cmd: [join(ROOT, "dist", "chat")], cwd, env: { DATA_DIR: "./data", SERVE_CLIENT: "true" } });
}, 120_000);
afterAll(() => server?.cleanup());

test("the compiled binary serves the client and a DM round trip from an empty directory", async () => {
  expect(await (await fetch(server.url)).text()).toContain('<div id="root"');
  const alice = await register(server.url, "bina");
  const bob = await register(server.url, "binb");
  await befriend(server.url, alice, bob);
  const a = await WsClient.connect(server.url, alice);
  const b = await WsClient.connect(server.url, bob);
  const room = (await a.request({ type: "dm.open", userId: bob.id }, "dm.opened")).room.id;
  const ack = await a.sendMessage(room, "from the binary");
  expect((await b.next("message", (m) => m.room === room)).seq).toBe(ack.seq);
  const reply = await b.sendMessage(room, "back at you");
  expect((await a.next("message", (m) => m.seq === reply.seq)).body).toBe("back at you");
  a.close();
  b.close();
  expect(readdirSync(cwd)).toEqual(["data"]); // it wrote nothing but its data
});

test("the binary stores attachments: without sharp an image keeps its dimensions and is its own preview", async () => {
  const alice = await register(server.url, "binf");
  const png = await pngOf(900, 300);
  const up = await uploadFile(server.url, alice, "general", "wide.png", png);
  expect(up.status).toBe(201);
  expect(up.body).toMatchObject({ type: "image/png", image: { width: 900, height: 300, previewWidth: 480, previewHeight: 160 } });
  const preview = await download(server.url, up.body.id, { token: alice.accessToken }, {}, true);
  expect(preview.status).toBe(200);
  expect(preview.headers.get("content-type")).toBe("image/png");
  expect(new Uint8Array(await preview.arrayBuffer())).toEqual(new Uint8Array(png));
  expect(readdirSync(join(cwd, "data", "files"))).toEqual([up.body.id]);
});
