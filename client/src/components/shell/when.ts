import { timeOf } from "../time.ts";

/** Compact time for lists: the time today, the weekday this week, else the date. */
export function shortWhen(ts: number, now = Date.now()): string {
  const d = new Date(ts);
  if (d.toDateString() === new Date(now).toDateString()) return timeOf(ts);
  if (now - ts < 6 * 24 * 3600_000) return d.toLocaleDateString([], { weekday: "short" });
  return d.toLocaleDateString([], { month: "short", day: "numeric" });
}
