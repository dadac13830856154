import type { AnalyticsWindow } from "../../domain/analytics/window.ts";
import type { ActivityEvent, AnalyticsReport } from "../../protocol/index.ts";

/** Messages between the socket thread and the activity worker. */
export type ToActivityWorker =
  | { kind: "init"; path: string; retentionMs: number }
  | { kind: "events"; events: ActivityEvent[] }
  | { kind: "report"; rid: number; window: AnalyticsWindow }
  | { kind: "close" };

export type FromActivityWorker =
  | { kind: "ready" }
  | { kind: "report"; rid: number; report: AnalyticsReport }
  | { kind: "failed"; rid: number; error: string }
  | { kind: "closed" }
  | { kind: "fatal"; error: string };
