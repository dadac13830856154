import type { AnalyticsRange } from "../../protocol/index.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface AnalyticsWindow {
  range: AnalyticsRange;
  from: number;
  to: number;
  bucket: "hour" | "day";
  bucketMs: number;
}

/** The last 24 h in hourly buckets, or the last 7/30 days in daily buckets (UTC-aligned). */
export function analyticsWindow(range: AnalyticsRange, now: number): AnalyticsWindow {
  const span = range === "24h" ? DAY : range === "7d" ? 7 * DAY : 30 * DAY;
  const bucketMs = range === "24h" ? HOUR : DAY;
  return { range, from: now - span, to: now, bucket: range === "24h" ? "hour" : "day", bucketMs };
}

export const bucketStart = (w: AnalyticsWindow, t: number) => Math.floor(t / w.bucketMs) * w.bucketMs;

/** Every bucket of the window, zero where nothing happened, so charts get evenly spaced points. */
export function fillSeries(w: AnalyticsWindow, values: Iterable<{ t: number; n: number }>): { t: number; n: number }[] {
  const byT = new Map<number, number>();
  for (const v of values) byT.set(v.t, v.n);
  const out: { t: number; n: number }[] = [];
  for (let t = bucketStart(w, w.from); t < w.to; t += w.bucketMs) out.push({ t, n: byT.get(t) ?? 0 });
  return out;
}

export const DAY_MS = DAY;
