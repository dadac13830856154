import type { EngineHealth, Lifecycle } from "../../ports/index.ts";
import { MongoAccountStore } from "./account-store.ts";
import { collections } from "./collections.ts";
import { MongoMessageChangeReader } from "./change-reader.ts";
import { MongoMessageChangeLog } from "./change-log.ts";
import { MongoConnection, type MongoConnectionOptions } from "./connection.ts";
import { MongoMessageLog } from "./message-log.ts";
import { MongoMessageReader } from "./message-reader.ts";
import { MongoMessageStore } from "./message-store.ts";
import { ReadCursors } from "./read-cursors.ts";
import { MongoRoomStore } from "./room-store.ts";
import { MongoSocialStore } from "./social-store.ts";

/** Every MongoDB-backed port over one connection, and the lifecycle that owns it. */
export interface MongoStorage {
  connection: MongoConnection;
  accounts: MongoAccountStore;
  social: MongoSocialStore;
  rooms: MongoRoomStore;
  reader: MongoMessageReader;
  /** Changes as the store has them (under Kafka, the pipeline lays the ones in flight over it). */
  changeReader: MongoMessageChangeReader;
  /**
   * The write path of "MongoDB without Kafka" (seqs decided in MongoDB). Made only when asked for:
   * under Kafka the pipeline is the write path.
   */
  ownWritePath(): { log: MongoMessageLog; changes: MongoMessageChangeLog };
  messages: MongoMessageStore;
  /** Connects and creates indexes on start; on close lets in-flight appends finish first. */
  lifecycle: Lifecycle;
}

export function createMongoStorage(options: MongoConnectionOptions): MongoStorage {
  const connection = new MongoConnection(options);
  const { db } = connection;
  // One ReadCursors for the room store and the log, so their cursor moves are serialised together.
  const cursors = new ReadCursors(collections(db).memberships);
  let own: { log: MongoMessageLog; changes: MongoMessageChangeLog } | null = null;
  return {
    connection,
    accounts: new MongoAccountStore(db),
    social: new MongoSocialStore(db),
    rooms: new MongoRoomStore(db, cursors),
    reader: new MongoMessageReader(db),
    changeReader: new MongoMessageChangeReader(db),
    ownWritePath: () => (own ??= { log: new MongoMessageLog(db, { cursors }), changes: new MongoMessageChangeLog(db) }),
    messages: new MongoMessageStore(db),
    lifecycle: {
      start: () => connection.start(),
      close: async () => {
        await own?.log.close();
        await connection.close();
      },
      health: (): Promise<EngineHealth> => connection.health(),
    },
  };
}
