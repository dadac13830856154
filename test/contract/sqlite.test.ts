/** Every storage contract against the embedded SQLite adapters, wired as src/composition.ts does. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteAccountStore } from "../../src/adapters/sqlite/account-store.ts";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteMessageLog } from "../../src/adapters/sqlite/message-log.ts";
import { SqliteMessageReader } from "../../src/adapters/sqlite/message-reader.ts";
import { SqliteRoomStore } from "../../src/adapters/sqlite/room-store.ts";
import { SqliteSocialStore } from "../../src/adapters/sqlite/social-store.ts";
import { SqliteWriterClient } from "../../src/adapters/sqlite/writer-client.ts";
import { accountStoreContract } from "./account-store.ts";
import { messageLogContract } from "./message-log.ts";
import { messageReaderContract } from "./message-reader.ts";
import { roomStoreContract } from "./room-store.ts";
import { socialStoreContract } from "./social-store.ts";

const WRITER_WORKER = new URL("../../src/adapters/sqlite/message-writer.worker.ts", import.meta.url);

/** A fresh database file with its writer worker, like the embedded server uses. */
async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), "chat-contract-"));
  const path = join(dir, "chat.db");
  const db = openDatabase(path, "NORMAL", true);
  const writer = new SqliteWriterClient(path, "NORMAL", WRITER_WORKER);
  await writer.start();
  return {
    accounts: new SqliteAccountStore(db),
    social: new SqliteSocialStore(db),
    rooms: new SqliteRoomStore(db, writer),
    log: new SqliteMessageLog(writer),
    reader: new SqliteMessageReader(db),
    cleanup: async () => {
      await writer.close();
      db.close();
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
