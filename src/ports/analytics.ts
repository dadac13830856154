import type { AnalyticsRange, AnalyticsReport } from "../protocol/index.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** Aggregations over the activity log. Sees events a few seconds after they were emitted (batching, indexing). */
export interface Analytics extends Lifecycle {
  report(range: AnalyticsRange, now: number): Promise<AnalyticsReport>;
}
