import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { EngineHealth, Lifecycle } from "../../ports/index.ts";
import { SqliteAccountStore } from "./account-store.ts";
import { openDatabase, type Synchronous } from "./database.ts";
import { SqliteMessageLog } from "./message-log.ts";
import { SqliteMessageReader } from "./message-reader.ts";
import { SqliteRoomStore } from "./room-store.ts";
import { SqliteSocialStore } from "./social-store.ts";
import { SqliteWriterClient } from "./writer-client.ts";
import { ensureSearchSchema } from "./search-schema.ts";
import { SqliteSearchIndex } from "./search-index.ts";
import { WORKER_URLS } from "../../worker-urls.ts";

const WRITER_WORKER = WORKER_URLS.sqliteWriter;

/**
 * Every SQLite-backed port over one database file. Accounts, friends and rooms are written on the
 * calling thread (small writes); messages and read cursors go through the writer worker so the
 * socket thread never waits for a commit.
 */
export function createSqliteStorage(dataDir: string, synchronous: Synchronous) {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, "chat.db");
  const db = openDatabase(path, "NORMAL", true);
  ensureSearchSchema(db);
  const writer = new SqliteWriterClient(path, synchronous, WRITER_WORKER);
  const lifecycle: Lifecycle = {
    start: () => writer.start(),
    close: async () => {
      await writer.close();
      db.close();
    },
    health: async (): Promise<EngineHealth> => ({ name: "sqlite", ok: true, path, pendingWrites: writer.inFlight }),
  };
  return {
    accounts: new SqliteAccountStore(db),
    social: new SqliteSocialStore(db),
    rooms: new SqliteRoomStore(db, writer),
    log: new SqliteMessageLog(writer),
    reader: new SqliteMessageReader(db),
    search: new SqliteSearchIndex(db),
    lifecycle,
  };
}
