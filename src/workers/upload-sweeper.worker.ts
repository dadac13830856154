/// <reference lib="webworker" />
/**
 * Removes uploads never sent within UPLOAD_TTL_SEC, on its own thread so neither the scan nor the
 * deletes (SQLite statements run synchronously) ever hold up the socket thread. It opens its own
 * connection to the store the server uses (SQLite + DATA_DIR/files, or MongoDB + GridFS).
 */
import { join } from "node:path";
import { DiskFileStore } from "../adapters/disk/file-store.ts";
import { openDatabase } from "../adapters/sqlite/database.ts";
import { SqliteUploadRegistry } from "../adapters/sqlite/upload-registry.ts";
import { sweepExpiredUploads } from "../domain/files/upload-expiry.ts";
import type { FileStore, UploadRegistry } from "../ports/index.ts";
import { hostWorker } from "../threads/worker-host.ts";
import type { SweeperInit } from "../adapters/sqlite/upload-sweeper-protocol.ts";

const BATCH = 100;

async function open(init: SweeperInit): Promise<{ store: FileStore; uploads: UploadRegistry; close: () => Promise<void> }> {
  if (init.storage.kind === "sqlite") {
    const db = openDatabase(join(init.storage.dataDir, "chat.db"), init.storage.settings);
    return { store: new DiskFileStore(join(init.storage.dataDir, "files")), uploads: new SqliteUploadRegistry(db), close: async () => db.close() };
  }
  const [{ MongoConnection }, { GridFsFileStore }, { MongoUploadRegistry }] = await Promise.all([
    import("../adapters/mongodb/connection.ts"),
    import("../adapters/mongodb/gridfs-file-store.ts"),
    import("../adapters/mongodb/upload-registry.ts"),
  ]);
  const connection = new MongoConnection({ uri: init.storage.uri, timeoutMS: init.storage.timeoutMS });
  await connection.client.connect();
  return { store: new GridFsFileStore(connection.db), uploads: new MongoUploadRegistry(connection.db), close: () => connection.close() };
}

hostWorker<SweeperInit>(async (init) => {
  const { store, uploads, close } = await open(init);
  let running: Promise<void> = Promise.resolve();
  const sweep = async () => {
    try {
      let removed = 0;
      // Whole batches mean more may be waiting: keep going until a short one.
      for (let n = BATCH; n === BATCH; removed += n) n = await sweepExpiredUploads(store, uploads, Date.now() - init.ttlMs, BATCH);
      if (removed > 0) postMessage({ kind: "swept", removed });
    } catch (err) {
      postMessage({ kind: "failed", error: err instanceof Error ? err.message : String(err) });
    }
  };
  const timer = setInterval(() => (running = running.then(sweep)), init.intervalMs);
  running = sweep();
  return async () => {
    clearInterval(timer);
    await running;
    await close();
  };
});
