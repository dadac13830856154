/** `npm run reindex` rebuilds the search index from the message store, with progress output. */
import { expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { api, register, uniqueName, WsClient } from "../support/client.ts";
import { engineUrl, haveEngines } from "../support/engines.ts";
import { startServer } from "../support/server.ts";
import { eventually } from "./suite.ts";

setDefaultTimeout(120_000);
const ROOT = join(import.meta.dir, "..", "..");

async function reindex(env: Record<string, string>) {
  const p = Bun.spawn([process.execPath, join(ROOT, "src", "tools", "reindex.ts")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = [await new Response(p.stdout).text(), await new Response(p.stderr).text(), await p.exited];
  expect({ code, err: code ? err : "" }).toEqual({ code: 0, err: "" });
  return out;
}

/** A server that stored 5 messages with a unique tag, then stopped; returns what a search needs. */
async function storedMessages() {
  const server = await startServer();
  const a = await register(server.url, "rx");
  const ws = await WsClient.connect(server.url, a);
  const tag = uniqueName("rx").replace("_", "");
  for (let i = 0; i < 5; i++) await ws.sendMessage("general", `${tag} relaunched ${i}`);
  ws.close();
  await server.stop();
  return { server, tag, password: a.password, username: a.username };
}

const login = async (url: string, username: string, password: string) =>
  (await api(url, "POST", "/api/auth/login", { body: { username, password } })).body.accessToken as string;

test("embedded: rebuilds the FTS5 table from the messages", async () => {
  const { server, tag, username, password } = await storedMessages();
  // The index lost (as after corruption): only the rebuild can make the messages findable again.
  const db = new Database(join(server.dataDir, "chat.db"));
  db.exec("DELETE FROM message_search");
  db.close();
  const out = await reindex({ DATA_DIR: server.dataDir });
  expect(out).toMatch(/indexed \d+\/\d+ messages into SQLite FTS5/);
  expect(out).toMatch(/done: \d+ messages/);
  const again = await startServer({ dataDir: server.dataDir });
  const token = await login(again.url, username, password);
  const res = await api(again.url, "GET", `/api/search?q=${tag}%20launch`, { token });
  expect(res.body.hits).toHaveLength(5);
  await again.cleanup();
});

test.skipIf(!haveEngines("elasticsearch"))("elasticsearch: indexes every stored message into a new cluster index", async () => {
  const { server, tag, username, password } = await storedMessages();
  const es = { ELASTICSEARCH_URL: engineUrl("elasticsearch")!, ES_INDEX_PREFIX: `rx${Date.now().toString(36)}` };
  const out = await reindex({ DATA_DIR: server.dataDir, ...es });
  expect(out).toMatch(new RegExp(`indexed \\d+/\\d+ messages into ${es.ES_INDEX_PREFIX}-messages`));
  // The messages were stored before Elasticsearch was configured: only the reindex can have put them there.
  const again = await startServer({ dataDir: server.dataDir, env: es });
  const token = await login(again.url, username, password);
  await eventually(() => api(again.url, "GET", `/api/search?q=${tag}%20launch`, { token }), (r) => expect(r.body.hits).toHaveLength(5));
  await again.cleanup();
});
