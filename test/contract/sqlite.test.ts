/** Every storage contract against the embedded SQLite adapters, wired as src/composition.ts does. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStorage } from "../../src/adapters/sqlite/storage.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { accountStoreContract } from "./account-store.ts";
import { messageLogContract } from "./message-log.ts";
import { messageReaderContract } from "./message-reader.ts";
import { messageChangesContract } from "./message-changes.ts";
import { roomStoreContract } from "./room-store.ts";
import { socialStoreContract } from "./social-store.ts";
import { searchIndexContract } from "./search-index.ts";
import { analyticsContract } from "./analytics.ts";
import { SqliteActivityLog } from "../../src/adapters/sqlite/activity-log.ts";
import { WORKER_URLS } from "../../src/worker-urls.ts";
import { DiskFileStore } from "../../src/adapters/disk/file-store.ts";
import { fileStoreContract } from "./file-store.ts";
import { uploadRegistryContract } from "./upload-registry.ts";

/** A fresh database file with its writer worker, exactly as the embedded server builds it. */
async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), "chat-contract-"));
  const storage = createSqliteStorage(dir, { synchronous: "NORMAL", busyTimeoutMs: 5000 }, createLogger("error"));
  await storage.lifecycle.start?.();
  return {
    ...storage,
    cleanup: async () => {
      await storage.lifecycle.close?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

accountStoreContract("sqlite", async () => {
  const s = await sqlite();
  return { store: s.accounts, cleanup: s.cleanup };
});
socialStoreContract("sqlite", async () => {
  const s = await sqlite();
  return { store: s.social, cleanup: s.cleanup };
});
roomStoreContract("sqlite", async () => {
  const s = await sqlite();
  return { store: s.rooms, cleanup: s.cleanup };
});
messageReaderContract("sqlite", sqlite);
messageLogContract("sqlite", sqlite);
messageChangesContract("sqlite", sqlite);
searchIndexContract("sqlite fts5", async () => {
  const s = await sqlite();
  return {
    search: s.search,
    // Appended through the writer like any message: the triggers index it in the same transaction.
    seed: async (messages) => {
      for (const m of messages) await s.log.append({ id: m.id, room: m.room, from: m.from, fromName: m.fromName, body: m.body, clientId: m.clientId, createdAt: m.createdAt });
    },
    cleanup: s.cleanup,
  };
});
analyticsContract("sqlite activity table", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chat-contract-"));
  const log = new SqliteActivityLog(join(dir, "activity.db"), 90 * 86_400_000, WORKER_URLS.activity, createLogger("error"));
  await log.start();
  return {
    sink: log,
    analytics: log,
    settle: async () => {}, // a report is answered after every event emitted before it
    cleanup: async () => {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
uploadRegistryContract("sqlite", sqlite);
fileStoreContract("disk", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chat-contract-files-"));
  const store = new DiskFileStore(dir);
  await store.start();
  return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
