/**
 * One MongoDB client per process (or per worker): connects, creates the indexes at start, answers
 * health with a ping. Worker-safe: the Kafka persistence worker opens its own connection with it.
 */
import { MongoClient, type Db } from "mongodb";
import type { EngineHealth, Lifecycle } from "../../ports/index.ts";
import { ensureIndexes } from "./collections.ts";
import { withDeadline } from "../guard/bounded-port.ts";

export interface MongoConnectionOptions {
  uri: string;
  /** Defaults to the database named in the URI, else "chat". */
  dbName?: string;
  /**
   * Bound on waiting for a pooled connection and on server selection. Deliberately not a socket
   * timeout: FerretDB 1.24 leaks an SQLite connection for every update it was running when the
   * client gave up on it (measured: 20 timed-out bulk updates left 100 of its 100 connections in
   * use, for good), which is exactly how it stops answering. Operations themselves are bounded by
   * the port guard (src/adapters/guard), which answers `unavailable` but lets them finish.
   * Default 5 s. (The driver's `timeoutMS` is a no-op in v7.)
   */
  timeoutMS?: number;
}

/** The database in `mongodb://host/<db>?...`, if the URI names one. */
export function databaseNameOf(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export class MongoConnection implements Lifecycle {
  readonly client: MongoClient;
  readonly db: Db;
  private readonly timeoutMS: number;

  constructor(options: MongoConnectionOptions) {
    // Fail a start or a request within seconds when the server is unreachable, not after 30 s.
    // A small pool: FerretDB's SQLite backend can deadlock when more than ~100 operations hold its
    // connections at once, and batching (not concurrency) is what makes our writes fast.
    const timeoutMS = options.timeoutMS ?? 5000;
    this.timeoutMS = timeoutMS;
    this.client = new MongoClient(options.uri, {
      serverSelectionTimeoutMS: Math.min(10_000, timeoutMS),
      waitQueueTimeoutMS: timeoutMS,
      appName: "chat-platform",
      maxPoolSize: 16,
    });
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
      // A real query too: a server can answer pings while its queries wait on an exhausted pool.
      const probe = async () => {
        await this.db.command({ ping: 1 });
        await this.db.collection("users").findOne({}, { projection: { _id: 1 } });
      };
      await withDeadline(probe(), this.timeoutMS, "mongodb", "health");
      return { name: "mongodb", ok: true, db: this.db.databaseName, pingMs: Math.round(performance.now() - started) };
    } catch (err) {
      return { name: "mongodb", ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }
}
