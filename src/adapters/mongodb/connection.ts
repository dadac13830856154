/**
 * One MongoDB client per process (or per worker): connects, creates the indexes at start, answers
 * health with a ping. Worker-safe: the Kafka persistence worker opens its own connection with it.
 */
import { MongoClient, type Db } from "mongodb";
import type { EngineHealth, Lifecycle } from "../../ports/index.ts";
import { ensureIndexes } from "./collections.ts";

export interface MongoConnectionOptions {
  uri: string;
  /** Defaults to the database named in the URI, else "chat". */
  dbName?: string;
}

/** The database in `mongodb://host/<db>?...`, if the URI names one. */
export function databaseNameOf(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export class MongoConnection implements Lifecycle {
  readonly client: MongoClient;
  readonly db: Db;

  constructor(options: MongoConnectionOptions) {
    // Fail a start or a request within seconds when the server is unreachable, not after 30 s.
    // A small pool: FerretDB's SQLite backend can deadlock when more than ~100 operations hold its
    // connections at once, and batching (not concurrency) is what makes our writes fast.
    this.client = new MongoClient(options.uri, { serverSelectionTimeoutMS: 10_000, appName: "chat-platform", maxPoolSize: 16 });
    this.db = this.client.db(options.dbName ?? databaseNameOf(options.uri) ?? "chat");
  }

  async start() {
    await this.client.connect();
    await ensureIndexes(this.db);
  }

  async close() {
    await this.client.close();
  }

  async health(): Promise<EngineHealth> {
    const started = performance.now();
    try {
      await this.db.command({ ping: 1 });
      return { name: "mongodb", ok: true, db: this.db.databaseName, pingMs: Math.round(performance.now() - started) };
    } catch (err) {
      return { name: "mongodb", ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }
}
