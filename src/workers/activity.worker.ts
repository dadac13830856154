/// <reference lib="webworker" />
/**
 * Owns activity.db: writes event batches, answers the dashboard's aggregations and prunes events
 * older than the retention, all off the socket thread.
 */
import { openDatabase } from "../adapters/sqlite/database.ts";
import { ACTIVITY_SCHEMA } from "../adapters/sqlite/activity-schema.ts";
import { activityQueries } from "../adapters/sqlite/activity-queries.ts";
import type { FromActivityWorker, ToActivityWorker } from "../adapters/sqlite/activity-protocol.ts";

declare const self: Worker;
const post = (m: FromActivityWorker) => self.postMessage(m);
const PRUNE_EVERY_MS = 3_600_000;

let queries: ReturnType<typeof activityQueries> | null = null;
let close: (() => void) | null = null;

self.onmessage = (event: MessageEvent<ToActivityWorker>) => {
  const m = event.data;
  try {
    switch (m.kind) {
      case "init": {
        const db = openDatabase(m.path, { synchronous: "NORMAL", busyTimeoutMs: 5_000 });
        db.exec(ACTIVITY_SCHEMA);
        const q = activityQueries(db);
        queries = q;
        const prune = () => q.prune(Date.now() - m.retentionMs);
        prune();
        const timer = setInterval(prune, PRUNE_EVERY_MS);
        close = () => {
          clearInterval(timer);
          db.close();
        };
        post({ kind: "ready" });
        break;
      }
      case "events":
        queries?.insert(m.events);
        break;
      case "report":
        try {
          post({ kind: "report", rid: m.rid, report: queries!.report(m.window) });
        } catch (err) {
          post({ kind: "failed", rid: m.rid, error: err instanceof Error ? err.message : String(err) });
        }
        break;
      case "close":
        close?.();
        post({ kind: "closed" });
        break;
    }
  } catch (err) {
    // A failed batch is lost to the dashboard only; the worker keeps serving.
    if (m.kind === "init") post({ kind: "fatal", error: err instanceof Error ? err.message : String(err) });
    else console.error(JSON.stringify({ level: "warn", msg: "activity write failed", error: String(err) }));
  }
};
