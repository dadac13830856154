import type { SqliteSettings } from "./database.ts";

/** Where the uploads are: the sweeper opens its own connection to the same store as the server. */
export type SweeperStorage = { kind: "sqlite"; dataDir: string; settings: SqliteSettings } | { kind: "mongodb"; uri: string; timeoutMS: number };

export interface SweeperInit {
  kind: "init";
  storage: SweeperStorage;
  ttlMs: number;
  intervalMs: number;
}

export type FromSweeper = { kind: "swept"; removed: number } | { kind: "failed"; error: string };
