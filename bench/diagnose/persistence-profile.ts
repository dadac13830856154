/**
 * Where a persistence batch's time goes on a MongoDB-wire server (FerretDB), per statement.
 *   bun bench/diagnose/persistence-profile.ts [batches=30] [batchSize=200] [preload=20000]
 * MONGODB_URI (or TEST_MONGODB_URI) names the server; a fresh database is made and dropped.
 *
 * Drives the Kafka persistence worker's own store (MongoMessageStore) with batches shaped like the
 * benchmark's durable step (100 DM rooms, both members sending, each sender once per batch) on a
 * collection already holding `preload` messages, and times every command with the driver's command
 * monitoring (commandStarted → commandSucceeded). Two phases, A/B in one run: the senders' cursors
 * moved with every batch, then deferred and flushed once a second as the persistence consumer does.
 * Then single statements, to show what one costs. Prints a markdown table per phase.
 */
import { MongoClient, type CommandStartedEvent, type CommandSucceededEvent, type CommandFailedEvent } from "mongodb";
import { collections, ensureIndexes, messageToDoc } from "../../src/adapters/mongodb/collections.ts";
import { MongoMessageStore } from "../../src/adapters/mongodb/message-store.ts";
import type { ChatMessage } from "../../src/domain/model.ts";

const [batches = 30, batchSize = 200, preload = 20_000] = process.argv.slice(2).map(Number);
const baseUri = process.env.MONGODB_URI ?? process.env.TEST_MONGODB_URI ?? "mongodb://127.0.0.1:27117/chat";
const dbName = `profile${Date.now().toString(36)}`;
const DM_ROOMS = 100;
const GROUPS = 4;
const GROUP_SIZE = 50;

const client = new MongoClient(baseUri, { monitorCommands: true, maxPoolSize: 16, appName: "persistence-profile" });
await client.connect();
const db = client.db(dbName);

/** Per (phase, command name [+ collection]): count, total ms, ops (documents or statements). */
interface Row { count: number; ms: number; ops: number; max: number }
const rows = new Map<string, Map<string, Row>>();
let phase = "setup";
const started = new Map<number, { key: string; at: number; ops: number }>();
const opsOf = (e: CommandStartedEvent): number => {
  const c = e.command as Record<string, unknown>;
  for (const field of ["documents", "updates", "deletes"]) if (Array.isArray(c[field])) return (c[field] as unknown[]).length;
  return 1;
};
client.on("commandStarted", (e: CommandStartedEvent) => {
  const coll = (e.command as Record<string, unknown>)[e.commandName];
  if (process.env.PROFILE_TRACE) console.error("[cmd]", e.commandName, e.requestId);
  started.set(e.requestId, { key: `${e.commandName}${typeof coll === "string" ? ` ${coll}` : ""}`, at: performance.now(), ops: opsOf(e) });
});
const finish = (e: CommandSucceededEvent | CommandFailedEvent) => {
  if (process.env.PROFILE_TRACE) console.error("[done]", e.requestId, "failure" in e ? String(e.failure) : "");
  const s = started.get(e.requestId);
  if (!s) return;
  started.delete(e.requestId);
  const ms = performance.now() - s.at;
  const table = rows.get(phase) ?? new Map<string, Row>();
  rows.set(phase, table);
  const row = table.get(s.key) ?? { count: 0, ms: 0, ops: 0, max: 0 };
  row.count++;
  row.ms += ms;
  row.ops += s.ops;
  row.max = Math.max(row.max, ms);
  table.set(s.key, row);
};
client.on("commandSucceeded", finish);
client.on("commandFailed", finish);

const c = collections(db);
console.error("[profile] indexes");
await ensureIndexes(db);
const users = Array.from({ length: DM_ROOMS * 2 }, (_, i) => `u${i}`);
const dms = Array.from({ length: DM_ROOMS }, (_, i) => `dm${i}`);
const memberships = [
  ...users.map((user, i) => ({ room: dms[Math.floor(i / 2)]!, user, joinedAt: 0, lastReadSeq: 0 })),
  ...users.map((user, i) => ({ room: `g${Math.floor(i / GROUP_SIZE) % GROUPS}`, user, joinedAt: 0, lastReadSeq: 0 })),
];
await c.memberships.insertMany(memberships);

const seqs = new Map<string, number>();
let n = 0;
const message = (from: string, room: string): ChatMessage => {
  const seq = (seqs.get(room) ?? 0) + 1;
  seqs.set(room, seq);
  n++;
  return { id: `m${n}`, room, seq, from, fromName: from, body: `message ${n} from ${from}`, createdAt: Date.now(), clientId: `c${n}` };
};
/** One batch as the durable step makes it: senders in turn, each in their DM room. */
const batch = (size: number) => {
  const first = n;
  return Array.from({ length: size }, (_, i) => {
    const sender = (first + i) % users.length;
    return message(users[sender]!, dms[Math.floor(sender / 2)]!);
  });
};

phase = "preload";
console.error(`[profile] preloading ${preload} messages`);
for (let done = 0; done < preload; done += 1000) await c.messages.insertMany(batch(Math.min(1000, preload - done)).map(messageToDoc), { ordered: false });

/** Batch times (ms) of each A/B phase, the deferred flushes counted in the batch that ran them. */
const batchMs = new Map<string, number[]>();
const FLUSH_EVERY_MS = 1000; // the persistence consumer's default
for (const deferCursorMoves of [false, true]) {
  phase = deferCursorMoves ? "batches, cursor moves deferred (flushed every 1 s)" : "batches, cursor moves with each batch";
  console.error(`[profile] ${phase}`);
  const store = new MongoMessageStore(db, { deferCursorMoves });
  const times: number[] = [];
  let flushedAt = performance.now();
  for (let i = 0; i < batches; i++) {
    const t = performance.now();
    await store.bulkUpsert(batch(batchSize));
    if (i === batches - 1 || performance.now() - flushedAt >= FLUSH_EVERY_MS) {
      await store.flushCursorMoves();
      flushedAt = performance.now();
    }
    times.push(performance.now() - t);
  }
  batchMs.set(phase, times);
}

// What one cursor move costs, and why: found by (room, user) (what the store sent before) or by _id
// (the only filter FerretDB pushes down to its backend), with nothing to write (the cursor is
// already ahead) or moving the cursor (a write transaction of its own).
const probes = 50;
const sample = await c.memberships.find({}, { projection: { _id: 1, room: 1, user: 1 } }).limit(probes).toArray();
phase = "one update by (room, user), cursor already ahead (no write)";
for (const m of sample) await c.memberships.updateOne({ room: m.room, user: m.user }, { $max: { lastReadSeq: 1 } });
phase = "one update by _id, cursor already ahead (no write)";
for (const m of sample) await c.memberships.updateOne({ _id: m._id }, { $max: { lastReadSeq: 1 } });
phase = "one update by (room, user) moving the cursor";
for (const [i, m] of sample.entries()) await c.memberships.updateOne({ room: m.room, user: m.user }, { $max: { lastReadSeq: 1e6 + i } });
phase = "one update by _id moving the cursor";
for (const [i, m] of sample.entries()) await c.memberships.updateOne({ _id: m._id }, { $max: { lastReadSeq: 2e6 + i } });

phase = "cleanup";
await db.dropDatabase();
await client.close();

const f = (x: number) => x.toFixed(2);
console.log(`Server: ${baseUri.replace(/\/\/[^@]*@/, "//")} (${process.env.PROFILE_LABEL ?? "unlabelled"}); ${batches} batches of ${batchSize} messages ` +
  `per phase from ${users.length} senders in ${DM_ROOMS} DM rooms; ${preload} messages and ${memberships.length} memberships stored before.\n`);
for (const [name, table] of rows) {
  if (name === "setup" || name === "preload" || name === "cleanup") continue;
  console.log(`### ${name}\n`);
  const times = batchMs.get(name);
  if (times) {
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`Batch ms: median ${f(sorted[Math.floor(sorted.length / 2)]!)}, p90 ${f(sorted[Math.floor(sorted.length * 0.9)]!)}, ` +
      `max ${f(sorted.at(-1)!)}; ${f((batchSize * batches) / (times.reduce((a, b) => a + b, 0) / 1000))} messages/s persisted.\n`);
  }
  const total = [...table.values()].reduce((a, r) => a + r.ms, 0);
  console.log(`| command | commands | statements/docs | total ms | ms/command | ms/statement | max ms | share |\n|---|---|---|---|---|---|---|---|`);
  for (const [key, r] of [...table].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`| ${key} | ${r.count} | ${r.ops} | ${f(r.ms)} | ${f(r.ms / r.count)} | ${f(r.ms / r.ops)} | ${f(r.max)} | ${((100 * r.ms) / total).toFixed(0)} % |`);
  }
  console.log("");
}
