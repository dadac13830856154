import type { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger } from "../../observability/logger.ts";
import type { EngineHealth, Lifecycle } from "../../ports/index.ts";
import { SqliteAccountStore } from "./account-store.ts";
import { openDatabase, type SqliteSettings } from "./database.ts";
import { SqliteMessageLog } from "./message-log.ts";
import { schemaVersion } from "./migrations.ts";
import { SqliteMessageReader } from "./message-reader.ts";
import { SqliteRoomStore } from "./room-store.ts";
import { SqliteSocialStore } from "./social-store.ts";
import { SqliteWriterClient } from "./writer-client.ts";
import { SqliteSearchIndex } from "./search-index.ts";
import { SqliteUploadRegistry } from "./upload-registry.ts";
import { WORKER_URLS } from "../../worker-urls.ts";

const WRITER_WORKER = WORKER_URLS.sqliteWriter;

/**
 * Every SQLite-backed port over one database file. Accounts, friends and rooms are written on the
 * calling thread (small writes); messages and read cursors go through the writer worker so the
 * socket thread never waits for a commit.
 */
export function createSqliteStorage(dataDir: string, settings: SqliteSettings, log: Logger = createLogger("warn")) {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, "chat.db");
  // Both connections share the settings: SQLITE_SYNCHRONOUS holds for accounts, friends and rooms too.
  const db = openDatabase(path, settings, true);
  const writer = new SqliteWriterClient(path, settings, WRITER_WORKER, log);
  const lifecycle: Lifecycle = {
    start: () => writer.start(),
    close: async () => {
      await writer.close();
      db.close();
    },
    workers: () => [writer.worker],
    // Red while the writer is down: no message can be stored until it is back.
    health: async (): Promise<EngineHealth> => ({ name: "sqlite", ok: writer.worker.isUp, path, pendingWrites: writer.inFlight, ...connectionSettings(db) }),
  };
  const messages = new SqliteMessageLog(writer);
  const reader = new SqliteMessageReader(db);
  return {
    accounts: new SqliteAccountStore(db),
    social: new SqliteSocialStore(db),
    rooms: new SqliteRoomStore(db, writer),
    log: messages,
    reader,
    // Changes go through the same writer batches as new messages (one seq counter, one transaction).
    changes: messages,
    changeReader: reader,
    search: new SqliteSearchIndex(db),
    uploads: new SqliteUploadRegistry(db),
    lifecycle,
  };
}

const SYNCHRONOUS_NAMES = ["OFF", "NORMAL", "FULL", "EXTRA"] as const;

/** What the main-thread connection really runs with (read back from SQLite, not from the config). */
function connectionSettings(db: Database) {
  const sync = db.query<{ synchronous: number }, []>("PRAGMA synchronous").get()?.synchronous ?? -1;
  const busy = db.query<{ timeout: number }, []>("PRAGMA busy_timeout").get()?.timeout ?? -1;
  return { synchronous: SYNCHRONOUS_NAMES[sync] ?? String(sync), busyTimeoutMs: busy, schemaVersion: schemaVersion(db) };
}
