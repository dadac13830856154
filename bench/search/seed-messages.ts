/**
 * Writes the search benchmark's rooms and messages before the server starts, through the project's
 * own adapters: the SQLite MessageLog (its FTS5 triggers index each body in the same transaction)
 * and, for Elasticsearch, the ElasticSearchIndex adapter's bulk writes into a fresh index prefix.
 * Sending 100,000 messages over the socket would measure the send path, not search.
 */
import { createElasticClient } from "../../src/adapters/elasticsearch/client.ts";
import { ensureIndices, indexNames } from "../../src/adapters/elasticsearch/indices.ts";
import { ElasticSearchIndex } from "../../src/adapters/elasticsearch/search-index.ts";
import { createSqliteStorage } from "../../src/adapters/sqlite/storage.ts";
import { newId } from "../../src/domain/ids.ts";
import { PUBLIC_ROOM_ID, type ChatMessage } from "../../src/domain/model.ts";
import { seedAccounts } from "../seed.ts";
import { body } from "./corpus.ts";

export interface SeededCorpus {
  token: string;
  /** The searcher's rooms: the public room and its groups. */
  rooms: string[];
  messages: ChatMessage[];
  seedSeconds: number;
}

/** The user id in an access token (its `sub`), to add the seeded user to rooms. */
const subjectOf = (token: string) => (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string }).sub;

/** One searcher in `groups` groups plus the public room, and `n` messages spread over those rooms. */
export async function seedMessages(dataDir: string, n: number, groups: number): Promise<SeededCorpus> {
  const started = performance.now();
  const [token] = await seedAccounts(dataDir, 1, "searcher");
  const userId = subjectOf(token!);
  const storage = createSqliteStorage(dataDir, { synchronous: "NORMAL", busyTimeoutMs: 5_000 });
  try {
    await storage.lifecycle.start?.();
    const rooms = [PUBLIC_ROOM_ID];
    for (let g = 0; g < groups; g++) {
      const id = `g:${newId()}`;
      await storage.rooms.ensureRoom({ id, kind: "group", name: `search-${g}`, createdBy: userId, createdAt: Date.now() });
      await storage.rooms.addMember(id, userId, Date.now());
      rooms.push(id);
    }
    const messages: ChatMessage[] = [];
    const t0 = Date.now() - n; // one message per ms, in the past
    const BATCH = 500; // appends in flight at once: the writer worker commits them together
    for (let i = 0; i < n; i += BATCH) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(BATCH, n - i) }, (_, k) =>
          storage.log.append({ id: newId(), room: rooms[(i + k) % rooms.length]!, from: userId, fromName: "searcher_0", body: body(i + k), clientId: newId(), createdAt: t0 + i + k }),
        ),
      );
      for (const r of batch) messages.push(r.message);
    }
    return { token: token!, rooms, messages, seedSeconds: (performance.now() - started) / 1000 };
  } finally {
    await storage.lifecycle.close?.();
  }
}

/** The same messages into Elasticsearch under `prefix`, through the search adapter; returns the seconds it took. */
export async function seedElastic(url: string, prefix: string, messages: readonly ChatMessage[]): Promise<number> {
  const started = performance.now();
  const client = createElasticClient(url);
  const names = indexNames(prefix);
  try {
    await ensureIndices(client, names, 90);
    const index = new ElasticSearchIndex(client, names);
    for (let i = 0; i < messages.length; i += 2000) await index.index(messages.slice(i, i + 2000));
    await client.indices.refresh({ index: names.messages });
    const { count } = await client.count({ index: names.messages });
    if (count !== messages.length) throw new Error(`elasticsearch holds ${count} of ${messages.length} seeded messages`);
    return (performance.now() - started) / 1000;
  } finally {
    await client.close();
  }
}

/** Removes a prefix's indices and data stream once measured (the engines are shared). */
export async function dropElastic(url: string, prefix: string): Promise<void> {
  const client = createElasticClient(url);
  const names = indexNames(prefix);
  await client.indices.deleteDataStream({ name: names.activity }).catch(() => {});
  await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true }).catch(() => {});
  await client.close();
}
